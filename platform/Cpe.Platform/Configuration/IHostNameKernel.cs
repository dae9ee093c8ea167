namespace Cpe.Platform.Configuration;

/// <summary>The kernel's host name, as the system reconciler needs it.</summary>
public interface IHostNameKernel
{
    string Get();
    void Set(string name);
}

/// <summary>sethostname(2) in the daemon's UTS namespace.</summary>
public sealed class LinuxHostName : IHostNameKernel
{
    public string Get() => Cpe.Interop.HostName.Get();
    public void Set(string name) => Cpe.Interop.HostName.Set(name);
}
