using Cpe.Phonehome;

namespace Cpe.UnitTests.Sztp;

[Trait("Kind", "Unit")]
public sealed class BackoffTests
{
    [Fact]
    public void Waits_double_from_one_second_to_the_cap_each_within_a_quarter_either_way()
    {
        var backoff = new Backoff(new Random(7));
        for (int attempt = 0; attempt < 40; attempt++)
        {
            double nominal = Math.Min(Math.Pow(2, attempt), 300);
            double seconds = backoff.Delay(attempt).TotalSeconds;
            Assert.InRange(seconds, nominal * 0.75, nominal * 1.25);
        }
        var spread = Enumerable.Range(0, 200).Select(_ => backoff.Delay(3).TotalMilliseconds).ToList();
        Assert.True(spread.Max() - spread.Min() > 2000, "jitter spreads boxes that started together");
    }
}
