using System.Runtime.InteropServices;

namespace Cpe.Interop;

// The OpenSSL objects the TLS client holds, each freed by its own free function when released.

internal sealed class SafeSslContext() : SafeHandle(0, true)
{
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle() { OpenSsl.SSL_CTX_free(handle); return true; }
}

internal sealed class SafeSsl() : SafeHandle(0, true)
{
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle() { OpenSsl.SSL_free(handle); return true; }   // frees its BIOs too
}

internal sealed class SafeSslSession() : SafeHandle(0, true)
{
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle() { OpenSsl.SSL_SESSION_free(handle); return true; }
}

internal sealed class SafeX509() : SafeHandle(0, true)
{
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle() { OpenSsl.X509_free(handle); return true; }
}

internal sealed class SafePrivateKey() : SafeHandle(0, true)
{
    public override bool IsInvalid => handle == 0;
    protected override bool ReleaseHandle() { OpenSsl.EVP_PKEY_free(handle); return true; }
}
