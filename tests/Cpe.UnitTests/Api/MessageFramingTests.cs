using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Cpe.Api;

namespace Cpe.UnitTests.Api;

[Trait("Kind", "Unit")]
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
            _ => { oversize++; return ValueTask.CompletedTask; }, CancellationToken.None);
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

    [Theory]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"config.load\",\"params\":{\"document\":\"xxxx", "42")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"params\":{\"id\":7,\"a\":[1,2,{\"id\":8}]},\"id\":\"req-9\",\"method\":\"x\"", "\"req-9\"")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"params\":{\"document\":\"xxxxxxxxxxxx", null)]   // the id would come after the cut
    [InlineData("{\"id\":{\"not\":\"a valid id\"},\"method\":\"x\"", null)]
    [InlineData("[1,2,3", null)]
    [InlineData("not json at all", null)]
    public void The_id_of_an_oversized_request_is_found_in_its_first_bytes(string start, string? id)
    {
        var found = RpcEnvelope.TryReadId(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(start)));
        Assert.Equal(id, found?.GetRawText());
    }
}
