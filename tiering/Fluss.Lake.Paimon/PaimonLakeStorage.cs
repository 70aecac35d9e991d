using Fluss.Config;
using Fluss.Errors;
using Fluss.Metadata;

namespace Fluss.Lake.Paimon;

/// <summary>
/// Apache Paimon as the cluster's lake format: a filesystem catalog whose tables live at
/// <c>{warehouse}/{database}.db/{table}/</c>, created from Fluss table descriptors the way Fluss maps them (same
/// columns, primary key and partition keys; <c>bucket</c> = Fluss bucket count and <c>bucket-key</c> = Fluss bucket
/// keys when the table has bucket keys, else -1; <c>changelog-producer=input</c> for primary-key tables;
/// <c>partition.legacy-name=false</c>; Fluss properties copied as <c>fluss.&lt;key&gt;</c>, <c>paimon.&lt;key&gt;</c>
/// properties passed through without the prefix).
/// </summary>
public sealed class PaimonLakeStorage : ILakeStorage
{
    /// <summary>The cluster option naming the warehouse directory (Fluss's <c>datalake.paimon.warehouse</c>).</summary>
    public const string WarehouseKey = "datalake.paimon.warehouse";

    /// <summary>Options Paimon derives from the Fluss table; a <c>paimon.*</c> table property may not set them.</summary>
    private static readonly HashSet<string> ReservedOptions = new(StringComparer.Ordinal) { "bucket", "bucket-key", "partition.legacy-name" };

    private readonly IPaimonFileIO _io;

    /// <summary>A Paimon lake in a local (or mounted) warehouse directory.</summary>
    public PaimonLakeStorage(string warehouse) : this(warehouse, LocalPaimonFileIO.Instance)
    {
    }

    /// <summary>A Paimon lake in <paramref name="warehouse"/> accessed through <paramref name="io"/>.</summary>
    public PaimonLakeStorage(string warehouse, IPaimonFileIO io)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(warehouse);
        ArgumentNullException.ThrowIfNull(io);
        Warehouse = warehouse.TrimEnd('/');
        _io = io;
    }

    public string Format => "paimon";

    public string Warehouse { get; }

    /// <summary>
    /// The lake storage a cluster configuration asks for: Paimon when <c>datalake.format</c> is <c>paimon</c> and
    /// <c>datalake.paimon.warehouse</c> is set; null when no lake format is configured.
    /// </summary>
    /// <exception cref="InvalidConfigException">The lake format is paimon but no warehouse is configured.</exception>
    public static PaimonLakeStorage? FromConfiguration(Configuration conf)
    {
        ArgumentNullException.ThrowIfNull(conf);
        var format = conf.Get(ConfigOptions.DataLakeFormatOption);
        if (format is null) return null;
        if (!FlussEnums.Name(format.Value).Equals("paimon", StringComparison.OrdinalIgnoreCase))
            throw new InvalidConfigException($"'{ConfigOptions.DataLakeFormatOption.Key}' is {FlussEnums.Name(format.Value)}; this cluster supports only paimon.");
        var warehouse = conf.GetString(WarehouseKey);
        if (string.IsNullOrWhiteSpace(warehouse))
            throw new InvalidConfigException($"'{ConfigOptions.DataLakeFormatOption.Key}' is paimon but '{WarehouseKey}' is not set; set it to the warehouse directory of the lake.");
        return new PaimonLakeStorage(WarehouseDirectory(warehouse));
    }

    /// <summary>The directory of a table's lake table.</summary>
    public string TableLocation(TablePath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return PaimonPaths.Combine(PaimonPaths.Combine(Warehouse, path.DatabaseName + ".db"), path.TableName);
    }

    public async Task CreateTableAsync(TablePath path, TableDescriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var definition = Definition(descriptor);
        var location = TableLocation(path);
        try
        {
            await PaimonTableWriter.CreateTableAsync(_io, location, definition, cancellationToken).ConfigureAwait(false);
        }
        catch (PaimonTableExistsException e)
        {
            throw new FlussException(FlussErrorCode.LakeTableAlreadyExist,
                $"Cannot create the lake table of {path}: {e.Message} Drop or move it, or create the Fluss table with the same columns and keys.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FlussException(FlussErrorCode.LakeStorageNotConfigured,
                $"Cannot create the lake table of {path} in the warehouse '{Warehouse}' ('{WarehouseKey}'): {e.Message}", e);
        }
    }

    public async Task<ILakeTableWriter> OpenWriterAsync(TablePath path, CancellationToken cancellationToken = default)
    {
        var location = TableLocation(path);
        try
        {
            var writer = await PaimonTableWriter.OpenAsync(_io, location, cancellationToken).ConfigureAwait(false);
            return new PaimonLakeTableWriter(writer, _io);
        }
        catch (PaimonNotFoundException e)
        {
            throw new FlussException(FlussErrorCode.LakeStorageNotConfigured, $"The lake table of {path} does not exist in the warehouse '{Warehouse}': {e.Message}", e);
        }
    }

    public async Task<ILakeTableSource> OpenSourceAsync(TablePath path, CancellationToken cancellationToken = default)
    {
        var location = TableLocation(path);
        try
        {
            var reader = await PaimonTableReader.OpenAsync(_io, location, cancellationToken).ConfigureAwait(false);
            return new PaimonLakeTableSource(reader);
        }
        catch (PaimonNotFoundException e)
        {
            throw new FlussException(FlussErrorCode.LakeStorageNotConfigured, $"The lake table of {path} does not exist in the warehouse '{Warehouse}': {e.Message}", e);
        }
    }

    /// <summary>The Paimon definition of a Fluss table (descriptor with the cluster's defaults applied).</summary>
    public static PaimonTableDefinition Definition(TableDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var schema = descriptor.Schema;
        var bucketKeys = descriptor.Distribution?.BucketKeys ?? [];
        var bucketCount = descriptor.Distribution?.BucketCount;
        var options = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["partition.legacy-name"] = "false",
            ["file.format"] = "parquet",
        };
        if (schema.HasPrimaryKey) options["changelog-producer"] = "input";
        foreach (var (key, value) in descriptor.Properties)
        {
            options["fluss." + key] = value;
        }
        foreach (var (key, value) in descriptor.CustomProperties)
        {
            if (key.StartsWith("paimon.", StringComparison.Ordinal))
            {
                var paimonKey = key["paimon.".Length..];
                if (ReservedOptions.Contains(paimonKey))
                    throw new InvalidTableException($"The table property '{key}' cannot be set: Paimon's '{paimonKey}' follows the Fluss table's distribution and partitioning.");
                options[paimonKey] = value;
            }
            else
            {
                options["fluss." + key] = value;
            }
        }
        var bucketed = bucketKeys.Count > 0 && bucketCount is > 0;
        if (schema.HasPrimaryKey && !bucketed)
            throw new InvalidTableException("A primary-key lake table needs a bucket count and bucket keys.");
        return new PaimonTableDefinition
        {
            Columns = schema.RowType,
            PrimaryKeys = schema.PrimaryKeyColumnNames,
            PartitionKeys = descriptor.PartitionKeys,
            Buckets = bucketed ? bucketCount!.Value : -1,
            BucketKeys = bucketed ? bucketKeys : [],
            Options = options,
            Comment = descriptor.Comment,
        };
    }

    /// <summary>Accepts a plain directory or a <c>file:</c> URI.</summary>
    private static string WarehouseDirectory(string warehouse)
    {
        if (warehouse.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            return Uri.TryCreate(warehouse, UriKind.Absolute, out var uri) ? uri.LocalPath : warehouse["file:".Length..];
        if (warehouse.Contains("://", StringComparison.Ordinal))
            throw new InvalidConfigException($"'{WarehouseKey}' is '{warehouse}'; only local warehouse directories are supported.");
        return Path.GetFullPath(warehouse);
    }
}

/// <summary>One tiering round's writes into one Paimon table.</summary>
internal sealed class PaimonLakeTableWriter(PaimonTableWriter writer, IPaimonFileIO io) : ILakeTableWriter
{
    public string Location => writer.TablePath;

    public async Task<LakeWriteResult> WriteAsync(int bucket, IReadOnlyList<LakeWriteBatch> batches, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var paimonBatches = new PaimonWriteBatch[batches.Count];
        for (var i = 0; i < batches.Count; i++) paimonBatches[i] = new PaimonWriteBatch(batches[i].Rows, batches[i].ChangeTypes);
        var file = await writer.WriteAsync(bucket, paimonBatches, cancellationToken).ConfigureAwait(false);
        return new LakeWriteResult(bucket, file.Path, file.RowCount, file.FileSize + (file.Changelog?.FileSize ?? 0), file);
    }

    public async Task<LakeSnapshotInfo?> LatestSnapshotAsync(CancellationToken cancellationToken = default) =>
        ToInfo(await writer.LatestSnapshotAsync(cancellationToken).ConfigureAwait(false));

    public async Task<LakeSnapshotInfo?> LatestSnapshotOfUserAsync(string commitUser, CancellationToken cancellationToken = default) =>
        ToInfo(await writer.LatestSnapshotOfUserAsync(commitUser, cancellationToken).ConfigureAwait(false));

    public async Task<long> CommitAsync(IReadOnlyList<LakeWriteResult> files, string commitUser, long commitIdentifier,
        IReadOnlyDictionary<string, string> properties, long? expectedLatestSnapshotId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var paimonFiles = files.Select(f => f.Handle as PaimonDataFile
            ?? throw new ArgumentException($"File {f.Path} was not written by a Paimon lake writer.", nameof(files))).ToList();
        try
        {
            return await writer.CommitAsync(paimonFiles, commitUser, commitIdentifier, properties, expectedLatestSnapshotId, cancellationToken).ConfigureAwait(false);
        }
        catch (PaimonCommitConflictException e)
        {
            throw new LakeCommitConflictException(e.Message, e);
        }
    }

    public async Task AbortAsync(IReadOnlyList<LakeWriteResult> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var f in files)
        {
            if (f.Handle is not PaimonDataFile file) continue;
            await io.DeleteAsync(file.Path, cancellationToken).ConfigureAwait(false);
            if (file.ChangelogFileName is { } changelog)
                await io.DeleteAsync(PaimonPaths.Combine(file.Directory, changelog), cancellationToken).ConfigureAwait(false);
        }
    }

    private static LakeSnapshotInfo? ToInfo(PaimonSnapshot? s) =>
        s is null ? null : new LakeSnapshotInfo(s.Id, s.CommitUser, s.CommitIdentifier, s.Properties);
}

/// <summary>The read side of one Paimon table: snapshot files for engines that scan them, merged rows for the rest.</summary>
internal sealed class PaimonLakeTableSource(PaimonTableReader reader) : ILakeTableSource
{
    /// <summary>Paimon's RowKind bytes that retract a key: -U (1) and -D (3).</summary>
    private static readonly int[] RetractKinds = [1, 3];

    public string Location => reader.TablePath;

    public Types.RowType RowType { get; } = reader.RowType;

    public IReadOnlyList<string> PrimaryKeys => reader.PrimaryKeys;

    public async Task<LakeSnapshotInfo?> LatestSnapshotAsync(CancellationToken cancellationToken = default)
    {
        var s = await reader.LatestSnapshotAsync(cancellationToken).ConfigureAwait(false);
        return s is null ? null : new LakeSnapshotInfo(s.Id, s.CommitUser, s.CommitIdentifier, s.Properties);
    }

    public async Task<LakeFilePlan> PlanFilesAsync(long snapshotId, CancellationToken cancellationToken = default)
    {
        var (schema, files) = await reader.PlanFilesAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        var isPk = schema.IsPrimaryKeyTable;
        var keyColumns = isPk ? schema.TrimmedPrimaryKeys.Select(k => Data.ParquetTypes.KeyPrefix + k).ToList() : [];
        var bucketAware = schema.Bucket > 0;
        var layout = new LakeFileLayout(
            isPk,
            bucketAware,
            schema.RowType(),
            schema.PrimaryKeys,
            keyColumns,
            isPk ? Data.ParquetTypes.SequenceNumber : null,
            isPk ? Data.ParquetTypes.ValueKind : null,
            isPk ? RetractKinds : [],
            isPk ? schema.Option("merge-engine", "deduplicate") : null);
        var result = files.Select(f => new LakeDataFile(
            f.Path, bucketAware ? f.Bucket : -1, f.Meta.RowCount, f.Meta.FileSize, isPk,
            Path.GetExtension(f.Meta.FileName).TrimStart('.').ToLowerInvariant(),
            f.Meta.MinSequenceNumber, f.Meta.MaxSequenceNumber)).ToList();
        return new LakeFilePlan(snapshotId, result, layout);
    }

    public IAsyncEnumerable<Apache.Arrow.RecordBatch> ReadAsync(long snapshotId, IReadOnlyList<string>? columns = null, IReadOnlyCollection<int>? buckets = null,
        CancellationToken cancellationToken = default)
    {
        if (buckets is not null && reader.LatestSchema.Bucket <= 0)
            throw new ArgumentException($"The lake table '{reader.TablePath}' is bucket-unaware: its files mix rows of all Fluss buckets, so it can only be read whole.", nameof(buckets));
        return reader.ReadBatchesAsync(new PaimonReadOptions { SnapshotId = snapshotId, Columns = columns, Buckets = buckets }, cancellationToken: cancellationToken);
    }
}
