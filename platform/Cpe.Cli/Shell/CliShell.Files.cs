using System.Globalization;
using System.Text;

namespace Cpe.Cli.Shell;

// "file list [PATH]" and "file delete PATH", as on Junos: what a technician pushed over the console cable
// (docs/guides/cli.md, "Files over the console cable") is looked at and removed here. A bare name is in the incoming
// folder. The admin class only, where the CLI runs as root for another class (the serial console).
public sealed partial class CliShell
{
    /// <summary>Where files pushed over the console cable land (the console's --incoming).</summary>
    public string IncomingFolder { get; init; } = "/data/incoming";

    string FilePath(string word) => Path.GetFullPath(word.Contains('/') ? word : Path.Combine(IncomingFolder, word));

    string FileCommand(List<string> words)
    {
        string verb = words.Count > 0 ? Keyword.Resolve(words[0], ["delete", "list"], "after 'file'") : throw new CliException("syntax error: 'file' needs one of: delete, list");
        if (words.Count > 2) throw new CliException($"syntax error: unexpected '{words[2]}': 'file {verb}' takes one path") { Token = words[2] };
        if (verb == "list")
        {
            CheckFileRights("list files on the box; 'file list'");
            return ListFiles(words.Count == 2 ? FilePath(words[1]) : IncomingFolder);
        }
        if (words.Count != 2) throw new CliException("syntax error: 'file delete' needs a path");
        CheckFileRights("delete files on the box; 'file delete'");
        string path = FilePath(words[1]);
        if (Directory.Exists(path)) throw new CliException($"'{path}' is a folder; 'file delete' deletes files");
        var file = new FileInfo(path);
        if (!file.Exists) throw new CliException($"'{path}': no such file");
        long bytes = file.Length;
        try { file.Delete(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliException($"could not delete '{path}': {e.Message}"); }
        return $"Deleted '{path}' ({bytes} bytes)\n";
    }

    string ListFiles(string path)
    {
        if (File.Exists(path)) return Line(new FileInfo(path)) + "\n";
        if (!Directory.Exists(path))
            return path == IncomingFolder ? $"{path}: nothing has been pushed to this box yet\n" : throw new CliException($"'{path}': no such file or folder");
        var sb = new StringBuilder($"{path}:\n");
        var entries = new DirectoryInfo(path).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        foreach (var entry in entries) sb.Append(Line(entry)).Append('\n');
        sb.Append($"total files: {entries.Count(e => e is FileInfo)}\n");
        return sb.ToString();
    }

    /// <summary>Size, time and name (name last: it may be long); a folder's name ends in '/'.</summary>
    string Line(FileSystemInfo entry) =>
        $"{(entry is FileInfo f ? f.Length.ToString(CultureInfo.InvariantCulture) : "-"),12}  {Time(entry.LastWriteTimeUtc)}  {entry.Name}{(entry is DirectoryInfo ? "/" : "")}";
}
