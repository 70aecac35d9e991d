using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Google.Protobuf;

namespace Fluss.TabletServer;

/// <summary>Conversions between the wire messages and the model.</summary>
internal static class ProtoConversions
{
    public static TablePath ToTablePath(PbTablePath path) => new(path.DatabaseName, path.TableName);

    public static PhysicalTablePath ToPhysicalTablePath(PbPhysicalTablePath path) =>
        PhysicalTablePath.Of(path.DatabaseName, path.TableName, path.HasPartitionName ? path.PartitionName : null);

    public static TableBucket ToTableBucket(PbTableBucket bucket) =>
        new(bucket.TableId, bucket.HasPartitionId ? bucket.PartitionId : null, bucket.BucketId);

    public static PbTableBucket ToPb(TableBucket bucket)
    {
        var pb = new PbTableBucket { TableId = bucket.TableId, BucketId = bucket.Bucket };
        if (bucket.PartitionId is { } p) pb.PartitionId = p;
        return pb;
    }

    /// <summary>
    /// The table info a metadata entry describes; <paramref name="schemaJson"/>, when given, replaces the schema
    /// inside the descriptor JSON.
    /// </summary>
    /// <exception cref="InvalidTableException">The entry lacks a path or its JSON is invalid.</exception>
    public static TableInfo ToTableInfo(PbTableMetadata metadata, ByteString? schemaJson)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.TablePath is null)
            throw new InvalidTableException($"The metadata of table id {metadata.TableId} has no table path.");
        var path = ToTablePath(metadata.TablePath);
        try
        {
            var descriptor = TableDescriptor.FromJson(metadata.TableJson.Span);
            if (schemaJson is { IsEmpty: false })
                descriptor = TableDescriptor.NewBuilder(descriptor).Schema(Schema.FromJson(schemaJson.Span)).Build();
            return TableInfo.Of(path, metadata.TableId, metadata.SchemaId, descriptor,
                metadata.HasRemoteDataDir ? metadata.RemoteDataDir : null, metadata.CreatedTime, metadata.ModifiedTime);
        }
        catch (FlussException)
        {
            throw;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or System.Text.Json.JsonException)
        {
            throw new InvalidTableException($"The metadata of table {path} (id {metadata.TableId}) is invalid: {e.Message}");
        }
    }
}
