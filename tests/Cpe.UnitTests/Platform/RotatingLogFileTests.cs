using Cpe.Platform.Logging;

namespace Cpe.UnitTests.Platform;

[Trait("Kind", "Unit")]
public sealed class RotatingLogFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cpe-log-").FullName;
    string Path_ => Path.Combine(_dir, "log", "messages");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_file_moves_to_dot_0_before_a_line_would_take_it_past_its_limit_so_the_log_stays_bounded()
    {
        using (var log = new RotatingLogFile(Path_, maxBytes: 100))
            for (int i = 0; i < 40; i++) log.WriteLine($"line {i:00} of the log"); // 19 bytes a line: 5 a file
        Assert.True(new FileInfo(Path_).Length <= 100);
        Assert.True(new FileInfo(RotatingLogFile.Previous(Path_)).Length <= 100);
        Assert.Equal(["line 35 of the log", "line 36 of the log", "line 37 of the log", "line 38 of the log", "line 39 of the log"], File.ReadAllLines(Path_));
        // The tail reads the older file first: the newest lines, oldest first, across the two.
        Assert.Equal(Enumerable.Range(33, 7).Select(i => $"line {i:00} of the log"), LogTail.Last(7, RotatingLogFile.Previous(Path_), Path_));
        Assert.Empty(LogTail.Last(5, Path.Combine(_dir, "none")));
    }

    [Fact]
    public void A_restart_appends_to_the_file_it_finds()
    {
        using (var log = new RotatingLogFile(Path_)) log.WriteLine("before");
        using (var log = new RotatingLogFile(Path_)) log.WriteLine("after");
        Assert.Equal(["before", "after"], File.ReadAllLines(Path_));
        Assert.False(File.Exists(RotatingLogFile.Previous(Path_)));
    }
}
