using System.Text;
using Cpe.Interop;
using Cpe.Sztp.Tls;

namespace Cpe.UnitTests.Sztp;

/// <summary>The resuming TLS client's HTTP/1.1 answer framing: Content-Length, chunked, to the close, and what is not HTTP.</summary>
[Trait("Kind", "Unit")]
public sealed class HttpAnswerTests
{
    static byte[] Bytes(string s) => Encoding.ASCII.GetBytes(s);

    [Fact]
    public void Content_length_frames_the_body_and_an_answer_is_complete_before_the_close()
    {
        var data = Bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: application/cms\r\n\r\nhello");
        Assert.Null(HttpAnswer.TryParse(data.AsSpan(0, data.Length - 1), closed: false));
        var answer = HttpAnswer.TryParse(data, closed: false)!;
        Assert.Equal((200, "hello"), (answer.Status, Encoding.ASCII.GetString(answer.Body)));
        Assert.True(answer.IsSuccess);
    }

    [Fact]
    public void A_chunked_body_is_put_back_together_once_its_last_chunk_arrived()
    {
        var data = Bytes("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nserv\r\n6\r\ner SIM\r\n0\r\n\r\n");
        Assert.Null(HttpAnswer.TryParse(data.AsSpan(0, data.Length - 7), closed: false));
        var answer = HttpAnswer.TryParse(data, closed: false)!;
        Assert.Equal((404, "server SIM"), (answer.Status, Encoding.ASCII.GetString(answer.Body)));
        Assert.False(answer.IsSuccess);
    }

    [Fact]
    public void Without_framing_the_body_is_what_came_before_the_close()
    {
        var data = Bytes("HTTP/1.0 200 ok\r\nContent-type: text/html\r\n\r\n<pre>status</pre>");
        Assert.Null(HttpAnswer.TryParse(data, closed: false));
        Assert.Equal("<pre>status</pre>", Encoding.ASCII.GetString(HttpAnswer.TryParse(data, closed: true)!.Body));
        Assert.Empty(HttpAnswer.TryParse(Bytes("HTTP/1.1 204 No Content\r\n\r\n"), closed: false)!.Body);
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n\r\n", "not an HTTP answer")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "ended after 5 of its 10 bytes")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "a bad Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "a bad chunk size")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc", "ended in a chunk")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Le", "before a whole HTTP header")]
    public void A_broken_or_cut_answer_is_a_clear_error(string raw, string expected)
    {
        var e = Assert.Throws<TlsException>(() => HttpAnswer.TryParse(Bytes(raw), closed: true));
        Assert.Contains(expected, e.Message);
    }
}
