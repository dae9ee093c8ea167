namespace Cpe.Platform.Logging;

/// <summary>The end of a log that may still be written to: a VNF's output, the platform's messages (its older file first).</summary>
public static class LogTail
{
    /// <summary>The newest <paramref name="count"/> lines of <paramref name="files"/> read one after the other, oldest first; missing files are skipped.</summary>
    public static List<string> Last(int count, params string[] files)
    {
        var lines = new Queue<string>();
        foreach (var file in files)
        {
            if (!File.Exists(file)) continue;
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is string line)
            {
                lines.Enqueue(line);
                if (lines.Count > count) lines.Dequeue();
            }
        }
        return [.. lines];
    }
}
