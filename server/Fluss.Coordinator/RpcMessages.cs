using Fluss.Coordinator.Store;
using Fluss.Metadata;
using Fluss.Rpc.Messages;
using Google.Protobuf;

namespace Fluss.Coordinator;

/// <summary>Builds the protobuf messages the coordinator sends from its cluster view.</summary>
internal static class RpcMessages
{
    public static PbServerNode ToPb(ServerNode node)
    {
        var pb = new PbServerNode
        {
            NodeId = node.Id,
            Host = node.Host,
            Port = node.Port,
            Listeners = new Listener(Config.ConfigOptions.DefaultListenerName, node.Host, node.Port).ToString(),
        };
        if (node.Rack is not null) pb.Rack = node.Rack;
        return pb;
    }

    public static PbTablePath ToPb(TablePath path) => new() { DatabaseName = path.DatabaseName, TableName = path.TableName };

    public static PbTableBucket ToPb(TableBucket bucket)
    {
        var pb = new PbTableBucket { TableId = bucket.TableId, BucketId = bucket.Bucket };
        if (bucket.PartitionId is { } p) pb.PartitionId = p;
        return pb;
    }

    /// <summary>A table's metadata; a bucket's leader is reported only while it is a live server.</summary>
    public static PbTableMetadata TableMetadata(TableState table, CoordinatorContext context)
    {
        var pb = new PbTableMetadata
        {
            TablePath = ToPb(table.Path),
            TableId = table.TableId,
            SchemaId = table.LatestSchemaId,
            TableJson = ByteString.CopyFrom(table.TableJson),
            CreatedTime = table.Registration.CreatedTime,
            ModifiedTime = table.Registration.ModifiedTime,
        };
        if (table.Registration.RemoteDataDir is { } dir) pb.RemoteDataDir = dir;
        foreach (var (bucket, replicas) in table.Assignment.Buckets)
        {
            var b = new PbBucketMetadata { BucketId = bucket };
            b.ReplicaId.AddRange(replicas);
            if (table.Leaders.TryGetValue(bucket, out var lai))
            {
                b.LeaderEpoch = lai.LeaderEpoch;
                if (lai.HasLeader && context.IsLive(lai.Leader)) b.LeaderId = lai.Leader;
            }
            pb.BucketMetadata.Add(b);
        }
        return pb;
    }

    public static UpdateMetadataRequest UpdateMetadata(CoordinatorContext context, IEnumerable<TableState> tables, IEnumerable<long>? deletedTableIds = null)
    {
        var request = new UpdateMetadataRequest
        {
            CoordinatorServer = ToPb(context.CoordinatorNode),
            CoordinatorEpoch = context.CoordinatorEpoch,
        };
        request.TabletServers.AddRange(context.LiveServers.Values.Select(s => ToPb(s.Node)));
        request.TableMetadata.AddRange(tables.Select(t => TableMetadata(t, context)));
        if (deletedTableIds is not null) request.DeletedTableIds.AddRange(deletedTableIds);
        return request;
    }

    /// <summary>One bucket's leadership; the first entry of a table in a request also carries the table's metadata and schema.</summary>
    public static PbNotifyLeaderAndIsrReqForBucket NotifyEntry(TableState table, int bucket, LeaderAndIsr lai, CoordinatorContext context, bool withTable)
    {
        var pb = new PbNotifyLeaderAndIsrReqForBucket
        {
            PhysicalTablePath = new PbPhysicalTablePath { DatabaseName = table.Path.DatabaseName, TableName = table.Path.TableName },
            TableBucket = ToPb(table.Bucket(bucket)),
            Leader = lai.Leader,
            LeaderEpoch = lai.LeaderEpoch,
            BucketEpoch = lai.BucketEpoch,
        };
        pb.Replicas.AddRange(table.Assignment.Replicas(bucket));
        pb.Isr.AddRange(lai.Isr);
        if (withTable)
        {
            pb.TableMetadata = TableMetadata(table, context);
            pb.SchemaJson = ByteString.CopyFrom(table.Schemas[table.LatestSchemaId].ToJsonBytes());
        }
        return pb;
    }
}
