using Fluss.Metadata;
using Fluss.Rows;
using Fluss.Storage.Kv;
using Fluss.Types;

namespace Fluss.Storage.Tests.Kv;

/// <summary>
/// Seeded random operations over a small key space for every merge engine, checked against an in-memory model:
/// committed lookups, prefix lookups, the changelog record by record, and a KV tablet rebuilt from the changelog.
/// </summary>
public class KvTabletModelTests
{
    // Columns: k1 INT NOT NULL, k2 INT NOT NULL (primary key k1, k2; bucket key k1), a BIGINT, b STRING, v INT.
    private const int K1 = 0, K2 = 1, A = 2, B = 3, V = 4, FieldCount = 5;

    public enum Engine { LastRow, LastRowWal, FirstRow, Versioned, Aggregation, AggregationAllowDelete }

    [Theory]
    [InlineData(Engine.LastRow, 11)]
    [InlineData(Engine.LastRowWal, 12)]
    [InlineData(Engine.FirstRow, 13)]
    [InlineData(Engine.Versioned, 14)]
    [InlineData(Engine.Aggregation, 15)]
    [InlineData(Engine.AggregationAllowDelete, 16)]
    public void RandomOperations_MatchModel(Engine engine, int seed)
    {
        var schemaBuilder = Schema.NewBuilder().Column("k1", new IntType(false)).Column("k2", new IntType(false));
        var properties = new Dictionary<string, string>();
        if (engine is Engine.Aggregation or Engine.AggregationAllowDelete)
        {
            schemaBuilder.Column("a", new BigIntType(), new AggFunction(AggFunctionType.Sum))
                .Column("b", new StringType(), AggFunction.ListAgg("|"))
                .Column("v", new IntType(), new AggFunction(AggFunctionType.Max));
            properties["table.merge-engine"] = "aggregation";
            if (engine == Engine.AggregationAllowDelete) properties["table.delete.behavior"] = "allow";
        }
        else
        {
            schemaBuilder.Column("a", new BigIntType()).Column("b", new StringType()).Column("v", new IntType());
            switch (engine)
            {
                case Engine.LastRowWal: properties["table.changelog.image"] = "WAL"; break;
                case Engine.FirstRow: properties["table.merge-engine"] = "first_row"; break;
                case Engine.Versioned:
                    properties["table.merge-engine"] = "versioned";
                    properties["table.merge-engine.versioned.ver-column"] = "v";
                    break;
            }
        }
        using var h = new KvHarness(schemaBuilder.PrimaryKey("k1", "k2").Build(), properties, bucketKeys: ["k1"]);
        var model = new Model(engine);
        var random = new Random(seed);
        var partialAllowed = engine is Engine.LastRow or Engine.Aggregation or Engine.AggregationAllowDelete;

        for (var step = 0; step < 1500; step++)
        {
            var partial = partialAllowed && random.Next(5) == 0 ? (random.Next(2) == 0 ? new[] { K1, K2, A } : [K1, K2, B, V]) : null;
            var batch = h.Batch();
            var ops = new List<(bool Delete, object?[] Row)>();
            // Mostly small batches; some large enough that the tablet reads their stored values up front.
            var count = random.Next(6) == 0 ? random.Next(8, 40) : random.Next(1, 5);
            for (var i = 0; i < count; i++)
            {
                var k1 = random.Next(4);
                var k2 = random.Next(4);
                if (random.Next(4) == 0)
                {
                    batch.Delete(k1, k2);
                    ops.Add((true, [k1, k2, null, null, null]));
                }
                else
                {
                    object?[] row =
                    [
                        k1, k2,
                        random.Next(4) == 0 ? null : (long)random.Next(-5, 50),
                        random.Next(4) == 0 ? null : "s" + random.Next(10),
                        random.Next(4) == 0 ? null : random.Next(20),
                    ];
                    batch.Upsert(row);
                    ops.Add((false, row));
                }
            }
            var info = h.Kv.PutAsLeader(batch.Build(), partial);
            var expected = model.Apply(ops, partial);
            Assert.Equal(expected, info.RecordCount);
            Assert.Equal(Math.Max(1, expected), info.LastOffset - info.FirstOffset + 1);
            if (random.Next(3) == 0) h.Commit();
            if (step % 250 == 249) CheckState(h, model, committedOnly: true);
        }
        h.Commit();
        CheckState(h, model, committedOnly: false);

        // The changelog, record by record.
        var changelog = h.Changelog();
        Assert.Equal(model.Changes.Count, changelog.Count);
        for (var i = 0; i < changelog.Count; i++)
        {
            Assert.Equal(model.Changes[i].Type, changelog[i].Type);
            Assert.Equal(GenericRow.Of(model.Changes[i].Row), changelog[i].Row);
        }
        Assert.True(changelog.Select(c => c.Offset).SequenceEqual(changelog.Select(c => c.Offset).Order()));

        // A KV tablet rebuilt from the changelog alone holds the same state.
        var expectedAll = h.All();
        h.Reopen();
        Assert.Equal(expectedAll, h.All());
    }

    private static void CheckState(KvHarness h, Model model, bool committedOnly)
    {
        var committed = committedOnly ? model.CommittedView(h.Log.HighWatermark) : model.State;
        for (var k1 = 0; k1 < 4; k1++)
        {
            for (var k2 = 0; k2 < 4; k2++)
            {
                var actual = h.Lookup(k1, k2);
                Assert.Equal(committed.TryGetValue((k1, k2), out var row) ? GenericRow.Of(row) : null, actual);
            }
            var prefix = h.Kv.PrefixLookup(h.BucketKey(k1)).Select(v => h.Decode(v)!).ToList();
            var expected = committed.Where(kv => kv.Key.Item1 == k1).OrderBy(kv => kv.Key.Item2).Select(kv => GenericRow.Of(kv.Value)).ToList();
            Assert.Equal(expected, prefix);
        }
    }

    /// <summary>The expected semantics, written plainly.</summary>
    private sealed class Model(Engine engine)
    {
        public Dictionary<(int, int), object?[]> State { get; } = [];

        public List<(ChangeType Type, object?[] Row)> Changes { get; } = [];

        /// <summary>State snapshots by changelog offset, to know what was committed at a given high watermark.</summary>
        private readonly List<(long EndOffset, Dictionary<(int, int), object?[]> State)> _history = [];

        private long _offset;

        public Dictionary<(int, int), object?[]> CommittedView(long highWatermark)
        {
            var result = new Dictionary<(int, int), object?[]>();
            foreach (var (end, state) in _history)
                if (end <= highWatermark) result = state;
            return result;
        }

        /// <summary>Applies one batch; returns the number of changelog records it produces.</summary>
        public int Apply(List<(bool Delete, object?[] Row)> ops, int[]? target)
        {
            var before = Changes.Count;
            foreach (var (delete, row) in ops)
            {
                var key = ((int)row[K1]!, (int)row[K2]!);
                State.TryGetValue(key, out var old);
                if (delete) ApplyDelete(key, old, target);
                else ApplyUpsert(key, old, row, target);
            }
            var produced = Changes.Count - before;
            _offset += Math.Max(1, produced);
            _history.Add((_offset, new Dictionary<(int, int), object?[]>(State)));
            return produced;
        }

        private void ApplyDelete((int, int) key, object?[]? old, int[]? target)
        {
            var allow = engine is Engine.LastRow or Engine.LastRowWal or Engine.AggregationAllowDelete;
            if (!allow || old is null) return;
            if (target is null)
            {
                Emit(ChangeType.Delete, old);
                State.Remove(key);
                return;
            }
            var othersNull = Enumerable.Range(0, FieldCount).Where(i => !target.Contains(i)).All(i => old[i] is null);
            if (othersNull)
            {
                Emit(ChangeType.Delete, old);
                State.Remove(key);
                return;
            }
            var updated = (object?[])old.Clone();
            foreach (var i in target) if (i is not (K1 or K2)) updated[i] = null;
            Update(key, old, updated);
        }

        private void ApplyUpsert((int, int) key, object?[]? old, object?[] row, int[]? target)
        {
            switch (engine)
            {
                case Engine.LastRowWal:
                    Emit(ChangeType.UpdateAfter, row);
                    State[key] = row;
                    return;
                case Engine.FirstRow:
                    if (old is null) Insert(key, row);
                    return;
                case Engine.Versioned:
                    if (old is null) Insert(key, row);
                    else if (Version(row) >= Version(old)) Update(key, old, row);
                    return;
                case Engine.LastRow:
                    if (target is null)
                    {
                        if (old is null) Insert(key, row);
                        else Update(key, old, row);
                        return;
                    }
                    var merged = new object?[FieldCount];
                    for (var i = 0; i < FieldCount; i++) merged[i] = target.Contains(i) ? row[i] : old?[i];
                    if (old is null) Insert(key, merged);
                    else Update(key, old, merged);
                    return;
                default:
                    if (old is null)
                    {
                        Insert(key, row);
                        return;
                    }
                    var aggregated = (object?[])old.Clone();
                    for (var i = 0; i < FieldCount; i++)
                    {
                        if (target is not null && !target.Contains(i)) continue;
                        aggregated[i] = i switch
                        {
                            A => old[A] is null ? row[A] : row[A] is null ? old[A] : (long)old[A]! + (long)row[A]!,
                            B => old[B] is null ? row[B] : row[B] is null ? old[B] : old[B] + "|" + row[B],
                            V => old[V] is null ? row[V] : row[V] is null ? old[V] : Math.Max((int)old[V]!, (int)row[V]!),
                            _ => row[i],
                        };
                    }
                    Update(key, old, aggregated);
                    return;
            }
        }

        private static long Version(object?[] row) => row[V] is int v ? v : long.MinValue;

        private void Insert((int, int) key, object?[] row)
        {
            Emit(ChangeType.Insert, row);
            State[key] = row;
        }

        private void Update((int, int) key, object?[] old, object?[] row)
        {
            Emit(ChangeType.UpdateBefore, old);
            Emit(ChangeType.UpdateAfter, row);
            State[key] = row;
        }

        private void Emit(ChangeType type, object?[] row) => Changes.Add((type, row));
    }
}
