using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cpe.Sztp;

/// <summary>
/// An ECDSA signer that writes CMS SignedData (RFC 5652) itself, for the server's per-request signatures (fleet
/// check-in answers carry the device's nonce, so each is signed anew). Same structure as <see cref="Cms.Sign"/>:
/// SHA-256, the signer's certificate embedded, IssuerAndSerialNumber, signed attributes content-type and
/// message-digest; the key and the certificate's DER are prepared once instead of on every signature.
/// </summary>
public sealed class CmsSigningKey : IDisposable
{
    const string Sha256 = "2.16.840.1.101.3.4.2.1", EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    const string ContentTypeAttribute = "1.2.840.113549.1.9.3", MessageDigestAttribute = "1.2.840.113549.1.9.4";
    readonly byte[] _certificate, _issuer, _serial;
    readonly ECDsa _key;

    public CmsSigningKey(X509Certificate2 certificate)
    {
        _key = certificate.GetECDsaPrivateKey() ?? throw new ArgumentException($"{certificate.Subject} has no ECDSA private key", nameof(certificate));
        _certificate = certificate.RawData;
        _issuer = certificate.IssuerName.RawData;
        _serial = certificate.SerialNumberBytes.ToArray();
    }

    public byte[] Sign(ReadOnlySpan<byte> content, string contentType)
    {
        byte[] digest = SHA256.HashData(content);
        // The signature covers the signed attributes DER-encoded as a SET OF (RFC 5652 §5.4).
        var attributes = new AsnWriter(AsnEncodingRules.DER);
        WriteAttributes(attributes, null, contentType, digest);
        byte[] signature = _key.SignData(attributes.Encode(), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(SztpOids.SignedData);
            using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (w.PushSequence())
            {
                w.WriteInteger(contentType == SztpOids.Data ? 1 : 3);
                using (w.PushSetOf()) WriteAlgorithm(w, Sha256);
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(contentType);
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))) w.WriteOctetString(content);
                }
                using (w.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))) w.WriteEncodedValue(_certificate);
                using (w.PushSetOf())
                using (w.PushSequence())
                {
                    w.WriteInteger(1);
                    using (w.PushSequence())
                    {
                        w.WriteEncodedValue(_issuer);
                        w.WriteIntegerUnsigned(_serial);
                    }
                    WriteAlgorithm(w, Sha256);
                    WriteAttributes(w, new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true), contentType, digest);
                    WriteAlgorithm(w, EcdsaWithSha256);
                    w.WriteOctetString(signature);
                }
            }
        }
        return w.Encode();
    }

    static void WriteAlgorithm(AsnWriter w, string oid)
    {
        using (w.PushSequence()) w.WriteObjectIdentifier(oid);
    }

    static void WriteAttributes(AsnWriter w, Asn1Tag? tag, string contentType, byte[] digest)
    {
        using (w.PushSetOf(tag))
        {
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(ContentTypeAttribute);
                using (w.PushSetOf()) w.WriteObjectIdentifier(contentType);
            }
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(MessageDigestAttribute);
                using (w.PushSetOf()) w.WriteOctetString(digest);
            }
        }
    }

    public void Dispose() => _key.Dispose();
}
