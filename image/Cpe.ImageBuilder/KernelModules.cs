namespace Cpe.ImageBuilder;

/// <summary>Debian's kernel modules by name, each after the ones it depends on (modinfo), as files on the build machine.</summary>
static class KernelModules
{
    /// <summary>The newest kernel that has both its image in /boot and its modules in /lib/modules.</summary>
    public static string NewestKernel() =>
        Directory.GetDirectories("/lib/modules").Select(Path.GetFileName).OfType<string>().Where(v => File.Exists($"/boot/vmlinuz-{v}")).Order().LastOrDefault()
        ?? throw new BuildException("no kernel in /boot with modules in /lib/modules: build.sh setup installs linux-image-amd64");

    /// <summary>
    /// Each module's file after the files it needs first: its hard dependencies (depends) and its soft "pre:" ones
    /// (ext4 and libcrc32c need a crc32c implementation loaded before them; an alias may name several modules: all load).
    /// </summary>
    public static List<string> Resolve(string kernel, IEnumerable<string> names)
    {
        var ordered = new List<string>();
        var seen = new HashSet<string>();
        void Visit(string file)
        {
            if (!seen.Add(file)) return;
            foreach (var d in Info(kernel, "depends", file).Split(',', StringSplitOptions.RemoveEmptyEntries)) VisitName(d);
            foreach (var line in Info(kernel, "softdep", file).Split('\n'))
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Length > 1 && words[0] == "pre:") foreach (var w in words[1..]) VisitName(w);
            }
            ordered.Add(file);
        }
        void VisitName(string name)
        {
            var files = Tool.Run("modinfo", ["-k", kernel, "-n", name], check: false).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (files.Length == 0) throw new BuildException($"kernel {kernel} has no module {name}");
            foreach (var f in files.Where(f => f != "(builtin)"))
            {
                if (!f.EndsWith(".ko", StringComparison.Ordinal)) throw new BuildException($"module {name} is {f}, not an uncompressed .ko");
                Visit(f);
            }
        }
        foreach (var n in names) VisitName(n);
        return ordered;
    }

    static string Info(string kernel, string field, string file) => Tool.Run("modinfo", ["-k", kernel, "-F", field, file]).Trim();

    /// <summary>Copies the modules flat into <paramref name="folder"/> and returns the file names in load order.</summary>
    public static List<string> CopyInto(string kernel, IEnumerable<string> names, string folder)
    {
        Directory.CreateDirectory(folder);
        var order = new List<string>();
        foreach (var file in Resolve(kernel, names))
        {
            string name = Path.GetFileName(file);
            File.Copy(file, Path.Combine(folder, name), overwrite: true);
            order.Add(name);
        }
        return order;
    }
}
