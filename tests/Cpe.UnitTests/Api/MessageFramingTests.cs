using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Cpe.Api;

namespace Cpe.UnitTests.Api;

public class MessageFramingTests
{
    static async Task<(List<string> Messages, int Oversize)> ReadAll(string input, int max)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(input));
        await pipe.Writer.CompleteAsync();
        var messages = new List<string>();
        int oversize = 0;
        await MessageFraming.ReadAsync(pipe.Reader, max,
            m => { messages.Add(Encoding.UTF8.GetString(m.ToArray())); return ValueTask.CompletedTask; },
            () => { oversize++; return ValueTask.CompletedTask; }, CancellationToken.None);
        return (messages, oversize);
    }

    [Fact]
    public async Task Splits_on_newlines_and_skips_blank_lines()
    {
        var (messages, oversize) = await ReadAll("{\"a\":1}\n\n{\"b\":2}\n", 100);
        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], messages);
        Assert.Equal(0, oversize);
    }

    [Fact]
    public async Task An_oversized_message_is_reported_once_and_the_next_one_still_arrives()
    {
        string big = new('x', 5000);
        var (messages, oversize) = await ReadAll(big + "\n{\"ok\":true}\n", 1000);
        Assert.Equal(1, oversize);
        Assert.Equal(["{\"ok\":true}"], messages);
    }
}
