using Hilo.Ilgpu.Validation;

namespace Hilo.Ilgpu.Tests.Validation;

/// <summary><see cref="Shard"/>: i/n parsing, and ranges that cut a list into n contiguous parts in order.</summary>
public sealed class ShardTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(7, 3)]
    [InlineData(10, 3)]
    [InlineData(2, 5)]
    [InlineData(50000, 7)]
    public void TheShardsCoverTheListInOrderWithSizesWithinOne(int total, int count)
    {
        var covered = new List<int>();
        var sizes = new List<int>();
        for (int i = 0; i < count; i++)
        {
            var (start, end) = new Shard(i, count).Range(total);
            covered.AddRange(Enumerable.Range(start, end - start));
            sizes.Add(end - start);
        }
        Assert.Equal(Enumerable.Range(0, total), covered);
        Assert.True(sizes.Max() - sizes.Min() <= 1, string.Join(",", sizes));
    }

    [Fact]
    public void TenImagesInThreeShards() // by hand: ⌊i·10/3⌋ = 0, 3, 6, 10
    {
        Assert.Equal((0, 3), Shard.Parse("0/3").Range(10));
        Assert.Equal((3, 6), Shard.Parse("1/3").Range(10));
        Assert.Equal((6, 10), Shard.Parse("2/3").Range(10));
        Assert.Equal("2/3", Shard.Parse("2/3").ToString());
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("1/0")]
    [InlineData("-1/3")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("1/2/3")]
    [InlineData(" 1/3")]
    public void BadShardsAreRefusedNamingTheOption(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => Shard.Parse(text));
        Assert.StartsWith($"--shard {text}: write i/n", e.Message, StringComparison.Ordinal);
    }
}
