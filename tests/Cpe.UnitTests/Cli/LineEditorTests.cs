using Cpe.Cli;

namespace Cpe.UnitTests.Cli;

[Trait("Kind", "Unit")]
public class LineEditorTests
{
    static (string? Line, ScriptedTerminal Io) Read(string keys)
    {
        var io = new ScriptedTerminal(keys);
        return (new LineEditor(io).ReadLine("> "), io);
    }

    [Theory]
    [InlineData("show version\r", "show version")]
    [InlineData("shox\x7fw\r", "show")]                     // Backspace
    [InlineData("set foo\x15show\r", "show")]               // Ctrl-U kills the line
    [InlineData("set foo\x1b[D\x1b[D\x15show\r", "show")]   // ... wherever the cursor is, as Junos does
    [InlineData("show system uptime\x17users\r", "show system users")]  // Ctrl-W kills a word
    [InlineData("how\x01s\r", "show")]                      // Ctrl-A, insert at the start
    [InlineData("shw\x1b[Do\r", "show")]                    // Left arrow, insert
    [InlineData("show abc\x1b[D\x1b[D\x0b\r", "show a")]    // Ctrl-K kills to the end
    [InlineData("héllo\r", "héllo")]                        // UTF-8
    public void Editing_keys(string keys, string expected) => Assert.Equal(expected, Read(keys).Line);

    [Fact]
    public void Ctrl_C_abandons_the_line()
    {
        var io = new ScriptedTerminal("set system host-name x\x03show\r");
        var editor = new LineEditor(io);
        Assert.Equal("", editor.ReadLine("> "));
        Assert.True(editor.Interrupted);   // so a caller reading many lines (load terminal) stops
        Assert.EndsWith("^C\n", io.Screen.ToString());
        Assert.Equal("show", editor.ReadLine("> "));
        Assert.False(editor.Interrupted);
    }

    [Fact]
    public void A_typed_password_never_goes_into_the_history()
    {
        // Up after each line: the password line is not there, the line before it is.
        var io = new ScriptedTerminal("show version\rset system login user ann authentication plain-text-password \"s3cret-pass\"\r\x1b[A\r");
        var editor = new LineEditor(io) { Remember = line => !Cpe.Cli.Shell.CliShell.TypesPassword(line) };
        editor.ReadLine("> ");
        editor.ReadLine("> ");
        Assert.Equal("show version", editor.ReadLine("> "));
        Assert.True(Cpe.Cli.Shell.CliShell.TypesPassword("set system login user ann authentication plain-text-password x"));
        Assert.False(Cpe.Cli.Shell.CliShell.TypesPassword("set system login user ann authentication plain-text-password"));   // asked for without echo
        Assert.True(Cpe.Cli.Shell.CliShell.TypesPassword("set system login user ann authentication plain-text-password \"unbalanced"));
        Assert.False(Cpe.Cli.Shell.CliShell.TypesPassword("show system users"));
    }

    [Fact]
    public void Ctrl_D_on_an_empty_line_ends_input() => Assert.Null(Read("\x04").Line);

    [Fact]
    public void Arrows_recall_history()
    {
        var io = new ScriptedTerminal("show version\rshow log\r\x1b[A\x1b[A\r\x1b[A\x1b[B\r");
        var editor = new LineEditor(io);
        Assert.Equal("show version", editor.ReadLine("> "));
        Assert.Equal("show log", editor.ReadLine("> "));
        Assert.Equal("show version", editor.ReadLine("> "));   // up, up
        Assert.Equal("", editor.ReadLine("> "));               // up then down: back to the empty draft
    }

    [Fact]
    public void Without_echo_nothing_typed_is_shown()
    {
        var (line, io) = Read("secret\r");
        Assert.Equal("secret", line);
        var io2 = new ScriptedTerminal("secret\r");
        Assert.Equal("secret", new LineEditor(io2).ReadLine("Password: ", echo: false));
        Assert.DoesNotContain("secret", io2.Screen.ToString());
        Assert.Contains("secret", io.Screen.ToString());
    }

    [Fact]
    public void Question_mark_calls_help_and_redraws_the_line()
    {
        var io = new ScriptedTerminal("show ?\r");
        var editor = new LineEditor(io);
        string? seen = null;
        editor.Help = before => { seen = before; io.Write("Possible completions:\n"); };
        Assert.Equal("show ", editor.ReadLine("> "));
        Assert.Equal("show ", seen);
        Assert.EndsWith("?\nPossible completions:\n> show \n", io.Screen.ToString());
    }

    [Fact]
    public void A_question_mark_inside_quotes_is_text()
    {
        var io = new ScriptedTerminal("set x \"why?\"\r");
        var editor = new LineEditor(io) { Help = _ => throw new InvalidOperationException("no help inside quotes") };
        Assert.Equal("set x \"why?\"", editor.ReadLine("> "));
    }

    [Fact]
    public void Tab_inserts_the_completion()
    {
        var io = new ScriptedTerminal("sh\tver\t\r");
        var editor = new LineEditor(io) { Complete = before => before.EndsWith("sh") ? "ow " : before.EndsWith("ver") ? "sion " : "" };
        Assert.Equal("show version ", editor.ReadLine("> "));
    }

    [Fact]
    public void Only_backspaces_and_plain_text_are_sent_to_the_terminal()
    {
        var (_, io) = Read("shw\x1b[Do\x1b[A\x15x\x7f\r");
        Assert.DoesNotContain('\x1b', io.Screen.ToString());
    }
}

[Trait("Kind", "Unit")]
public class LineEditorBroadcastTests
{
    /// <summary>A terminal whose keys arrive when the test sends them, as a person types.</summary>
    sealed class TypedTerminal : Cpe.Cli.Io.ITerminalIo
    {
        readonly System.Collections.Concurrent.BlockingCollection<int> _keys = [];
        readonly Lock _screenLock = new();
        readonly System.Text.StringBuilder _screen = new();
        public string Screen { get { lock (_screenLock) return _screen.ToString(); } }
        public void Type(string keys) { foreach (byte b in System.Text.Encoding.UTF8.GetBytes(keys)) _keys.Add(b); }
        public bool IsInteractive => true;
        public (int Rows, int Columns) Size => (24, 80);
        public int ReadByte() => _keys.Take();
        public string? ReadLine() => throw new NotSupportedException();
        public void Write(string text) { lock (_screenLock) _screen.Append(text); }
        public void WriteError(string text) => Write(text);
        public void DiscardInput() { }
        public bool WaitForInterrupt(TimeSpan wait) => false;
    }

    [Fact]
    public async Task A_message_is_written_above_the_line_being_typed_which_is_written_again_with_the_cursor_where_it_was()
    {
        var io = new TypedTerminal();
        var editor = new LineEditor(io);
        var reading = Task.Run(() => editor.ReadLine("ann@cpe> "));
        io.Type("show vers\x1b[D");   // the cursor one back from the end
        while (!io.Screen.EndsWith('\b')) await Task.Delay(5);

        editor.Interject("Message from cpe at 10:00:00 UTC:\ncommit confirmed expired");
        io.Type("x\r");

        Assert.Equal("show verxs", await reading);
        Assert.Equal("ann@cpe> show vers\b\nMessage from cpe at 10:00:00 UTC:\ncommit confirmed expired\nann@cpe> show vers\bxs\b\n", io.Screen);
    }

    [Fact]
    public void A_message_while_a_command_runs_waits_for_the_next_prompt()
    {
        var io = new TypedTerminal();
        var editor = new LineEditor(io);
        editor.Interject("zero-touch done");
        io.Type("\r");
        editor.ReadLine("> ");
        Assert.Equal("\nzero-touch done\n> \n", io.Screen);
    }
}
