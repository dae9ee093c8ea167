namespace Cpe.Vnf;

/// <summary>
/// Something the VNF runtime could not do (a package refused, a runtime spec refused, the image store full or
/// holding an image): the base of its exceptions, so a caller catches one type.
/// </summary>
public abstract class VnfException(string message, Exception? inner = null) : Exception(message, inner);
