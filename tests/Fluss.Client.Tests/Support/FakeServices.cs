using Apache.Arrow;
using Fluss.Arrow;
using Fluss.Errors;
using Fluss.Metadata;
using Fluss.Records.Log;
using Fluss.Rpc.Messages;
using Google.Protobuf;
using Grpc.Core;

namespace Fluss.Tests.Client.Support;

internal sealed class FakeReadOnlyService(FakeState state) : AdminReadOnlyService.AdminReadOnlyServiceBase
{
    public override Task<MetadataResponse> GetMetadata(MetadataRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            state.MetadataRequests++;
            var response = new MetadataResponse
            {
                CoordinatorServer = new PbServerNode { NodeId = 0, Host = "127.0.0.1", Port = state.CoordinatorPort ?? state.Port },
            };
            response.TabletServers.Add(new PbServerNode { NodeId = 1, Host = "127.0.0.1", Port = state.Port });
            foreach (var p in request.TablePath)
            {
                var path = new TablePath(p.DatabaseName, p.TableName);
                if (!state.Tables.TryGetValue(path, out var table)) throw new TableNotExistException($"Table {path} does not exist.");
                var pb = new PbTableMetadata
                {
                    TablePath = p,
                    TableId = table.Id,
                    SchemaId = table.SchemaId,
                    TableJson = ByteString.CopyFrom(table.Descriptor.ToJsonBytes()),
                };
                for (var b = 0; b < table.Logs.Length; b++)
                    pb.BucketMetadata.Add(new PbBucketMetadata { BucketId = b, LeaderId = 1, LeaderEpoch = 0, ReplicaId = { 1 } });
                response.TableMetadata.Add(pb);
            }
            return Task.FromResult(response);
        }
    }

    public override Task<ListDatabasesResponse> ListDatabases(ListDatabasesRequest request, ServerCallContext context)
    {
        lock (state.Lock) return Task.FromResult(new ListDatabasesResponse { DatabaseName = { state.Databases.Keys.Order() } });
    }

    public override Task<DatabaseExistsResponse> DatabaseExists(DatabaseExistsRequest request, ServerCallContext context)
    {
        lock (state.Lock) return Task.FromResult(new DatabaseExistsResponse { Exists = state.Databases.ContainsKey(request.DatabaseName) });
    }

    public override Task<GetDatabaseInfoResponse> GetDatabaseInfo(GetDatabaseInfoRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            if (!state.Databases.TryGetValue(request.DatabaseName, out var descriptor))
                throw new DatabaseNotExistException($"Database {request.DatabaseName} does not exist.");
            return Task.FromResult(new GetDatabaseInfoResponse { DatabaseJson = ByteString.CopyFrom(descriptor.ToJsonBytes()), CreatedTime = 1, ModifiedTime = 2 });
        }
    }

    public override Task<ListTablesResponse> ListTables(ListTablesRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            if (!state.Databases.ContainsKey(request.DatabaseName)) throw new DatabaseNotExistException($"Database {request.DatabaseName} does not exist.");
            return Task.FromResult(new ListTablesResponse { TableName = { state.Tables.Keys.Where(t => t.DatabaseName == request.DatabaseName).Select(t => t.TableName).Order() } });
        }
    }

    public override Task<TableExistsResponse> TableExists(TableExistsRequest request, ServerCallContext context)
    {
        lock (state.Lock)
            return Task.FromResult(new TableExistsResponse { Exists = state.Tables.ContainsKey(new TablePath(request.TablePath.DatabaseName, request.TablePath.TableName)) });
    }

    public override Task<GetTableInfoResponse> GetTableInfo(GetTableInfoRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            var path = new TablePath(request.TablePath.DatabaseName, request.TablePath.TableName);
            if (!state.Tables.TryGetValue(path, out var table)) throw new TableNotExistException($"Table {path} does not exist.");
            return Task.FromResult(new GetTableInfoResponse
            {
                TableId = table.Id,
                SchemaId = table.SchemaId,
                TableJson = ByteString.CopyFrom(table.Descriptor.ToJsonBytes()),
                CreatedTime = 10,
                ModifiedTime = 11,
            });
        }
    }

    public override Task<GetTableSchemaResponse> GetTableSchema(GetTableSchemaRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            var path = new TablePath(request.TablePath.DatabaseName, request.TablePath.TableName);
            if (!state.Tables.TryGetValue(path, out var table)) throw new TableNotExistException($"Table {path} does not exist.");
            if (request.HasSchemaId && request.SchemaId != table.SchemaId)
                throw new FlussException(FlussErrorCode.SchemaNotExist, $"Schema {request.SchemaId} of {path} does not exist.");
            return Task.FromResult(new GetTableSchemaResponse { SchemaId = table.SchemaId, SchemaJson = ByteString.CopyFrom(table.Descriptor.Schema.ToJsonBytes()) });
        }
    }
}

internal sealed class FakeCoordinatorService(FakeState state) : CoordinatorService.CoordinatorServiceBase
{
    public override Task<InitWriterResponse> InitWriter(InitWriterRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            state.InitWriterRequests++;
            return Task.FromResult(new InitWriterResponse { WriterId = state.NextWriterId++ });
        }
    }

    public override Task<CreateDatabaseResponse> CreateDatabase(CreateDatabaseRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            if (state.Databases.ContainsKey(request.DatabaseName))
            {
                if (request.IgnoreIfExists) return Task.FromResult(new CreateDatabaseResponse());
                throw new DatabaseAlreadyExistException($"Database {request.DatabaseName} already exists.");
            }
            state.Databases[request.DatabaseName] = request.HasDatabaseJson ? DatabaseDescriptor.FromJson(request.DatabaseJson.Span) : DatabaseDescriptor.Empty;
            return Task.FromResult(new CreateDatabaseResponse());
        }
    }

    public override Task<DropDatabaseResponse> DropDatabase(DropDatabaseRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            if (!state.Databases.Remove(request.DatabaseName) && !request.IgnoreIfNotExists)
                throw new DatabaseNotExistException($"Database {request.DatabaseName} does not exist.");
            return Task.FromResult(new DropDatabaseResponse());
        }
    }

    public override Task<CreateTableResponse> CreateTable(CreateTableRequest request, ServerCallContext context)
    {
        var path = new TablePath(request.TablePath.DatabaseName, request.TablePath.TableName);
        var descriptor = TableDescriptor.FromJson(request.TableJson.Span);
        lock (state.Lock)
        {
            if (!state.Databases.ContainsKey(path.DatabaseName)) throw new DatabaseNotExistException($"Database {path.DatabaseName} does not exist.");
            if (state.Tables.ContainsKey(path))
            {
                if (request.IgnoreIfExists) return Task.FromResult(new CreateTableResponse());
                throw new TableAlreadyExistException($"Table {path} already exists.");
            }
        }
        state.AddTable(path, descriptor.BucketCount is null ? descriptor.WithBucketCount(1) : descriptor);
        return Task.FromResult(new CreateTableResponse());
    }

    /// <summary>Records the request; a change of the key <c>bad</c> is refused as Fluss refuses a non-alterable option.</summary>
    public override Task<AlterTableResponse> AlterTable(AlterTableRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            state.AlterRequests.Add(request.Clone());
            if (request.ConfigChanges.Any(c => c.ConfigKey == "bad"))
                throw new InvalidAlterTableException("'bad' cannot be altered.");
            return Task.FromResult(new AlterTableResponse());
        }
    }

    public override Task<GetLakeSnapshotResponse> GetLakeSnapshot(GetLakeSnapshotRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            return state.LakeSnapshot is { } snapshot
                ? Task.FromResult(snapshot.Clone())
                : throw new LakeTableSnapshotNotExistException($"Table {request.TablePath.DatabaseName}.{request.TablePath.TableName} has no lake snapshot yet.");
        }
    }

    public override Task<DropTableResponse> DropTable(DropTableRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            var path = new TablePath(request.TablePath.DatabaseName, request.TablePath.TableName);
            if (!state.Tables.Remove(path) && !request.IgnoreIfNotExists) throw new TableNotExistException($"Table {path} does not exist.");
            return Task.FromResult(new DropTableResponse());
        }
    }
}

internal sealed class FakeTabletService(FakeState state) : TabletService.TabletServiceBase
{
    public override Task<ProduceLogResponse> ProduceLog(ProduceLogRequest request, ServerCallContext context)
    {
        var response = new ProduceLogResponse();
        var drop = false;
        lock (state.Lock)
        {
            state.ProduceRequests++;
            var table = state.Tables.Values.Single(t => t.Id == request.TableId);
            foreach (var req in request.BucketsReq)
            {
                var resp = new PbProduceLogRespForBucket { BucketId = req.BucketId };
                response.BucketsResp.Add(resp);
                var attempt = state.ProduceAttempts[req.BucketId] = state.ProduceAttempts.GetValueOrDefault(req.BucketId) + 1;
                if (state.ProduceFault?.Invoke(req.BucketId, attempt) is { } fault)
                {
                    resp.ErrorCode = (int)fault;
                    resp.ErrorMessage = $"injected {fault}";
                    continue;
                }
                try
                {
                    resp.BaseOffset = Append(table.Logs[req.BucketId], req.Records.ToByteArray());
                }
                catch (FlussException e)
                {
                    resp.ErrorCode = (int)e.ErrorCode;
                    resp.ErrorMessage = e.Message;
                }
            }
            if (state.DropProduceResponses > 0)
            {
                state.DropProduceResponses--;
                drop = true;
            }
        }
        if (drop) throw new RpcException(new Status(StatusCode.Unavailable, "injected: the response was lost after the records were appended"));
        return Task.FromResult(response);
    }

    /// <summary>Appends like a Fluss leader: a writer's batches must come in sequence; a resent batch gets its first offsets back.</summary>
    private static long Append(FakeLog log, byte[] records)
    {
        long? first = null;
        foreach (var view in new LogRecords(records))
        {
            view.EnsureValid();
            var batch = view.Memory.ToArray();
            if (view.WriterId >= 0)
            {
                var known = log.Writers.TryGetValue(view.WriterId, out var w) ? w : (LastSequence: -1, BaseOffsets: new Dictionary<int, long>());
                if (known.BaseOffsets.TryGetValue(view.BatchSequence, out var original))
                {
                    first ??= original;
                    continue;
                }
                if (view.BatchSequence != known.LastSequence + 1)
                    throw new FlussException(FlussErrorCode.OutOfOrderSequence, $"expected sequence {known.LastSequence + 1} but got {view.BatchSequence}");
                known.BaseOffsets[view.BatchSequence] = log.NextOffset;
                log.Writers[view.WriterId] = (view.BatchSequence, known.BaseOffsets);
            }
            LogRecordBatch.SetBaseOffset(batch, log.NextOffset);
            LogRecordBatch.SetCommitTimestamp(batch, 1_700_000_000_000 + log.NextOffset);
            first ??= log.NextOffset;
            log.NextOffset += view.LastOffsetDelta + 1;
            log.Batches.Add(batch);
        }
        return first ?? log.NextOffset;
    }

    public override async Task<FetchLogResponse> FetchLog(FetchLogRequest request, ServerCallContext context)
    {
        for (var round = 0; ; round++)
        {
            var (response, hasData) = TryFetch(request, round == 0);
            if (hasData || round * 20 >= request.MaxWaitMs) return response;
            await Task.Delay(20, context.CancellationToken);
        }
    }

    private (FetchLogResponse Response, bool HasData) TryFetch(FetchLogRequest request, bool firstRound)
    {
        var response = new FetchLogResponse();
        var hasData = false;
        lock (state.Lock)
        {
            if (firstRound) state.FetchRequests.Add(request.Clone());
            foreach (var forTable in request.TablesReq)
            {
                var table = state.Tables.Values.Single(t => t.Id == forTable.TableId);
                if (forTable.ProjectionPushdownEnabled)
                {
                    var fields = forTable.ProjectedFields.ToArray();
                    for (var i = 1; i < fields.Length; i++)
                    {
                        if (fields[i] <= fields[i - 1])
                            throw new FlussException(FlussErrorCode.InvalidColumnProjection, $"The projection indexes should be in field order, but is [{string.Join(", ", fields)}]");
                    }
                }
                var tableResp = new PbFetchLogRespForTable { TableId = table.Id };
                response.TablesResp.Add(tableResp);
                foreach (var req in forTable.BucketsReq)
                {
                    var log = table.Logs[req.BucketId];
                    var resp = new PbFetchLogRespForBucket { BucketId = req.BucketId, HighWatermark = log.NextOffset, LogStartOffset = 0 };
                    tableResp.BucketsResp.Add(resp);
                    if (firstRound)
                    {
                        var attempt = state.FetchAttempts[req.BucketId] = state.FetchAttempts.GetValueOrDefault(req.BucketId) + 1;
                        if (state.FetchFault?.Invoke(req.BucketId, attempt) is { } fault)
                        {
                            resp.ErrorCode = (int)fault;
                            resp.ErrorMessage = $"injected {fault}";
                            hasData = true;
                            continue;
                        }
                    }
                    if (req.FetchOffset < 0 || req.FetchOffset > log.NextOffset)
                    {
                        resp.ErrorCode = (int)FlussErrorCode.LogOffsetOutOfRange;
                        resp.ErrorMessage = $"offset {req.FetchOffset} is outside [0, {log.NextOffset}]";
                        hasData = true;
                        continue;
                    }
                    using var bytes = new MemoryStream();
                    foreach (var batch in log.Batches)
                    {
                        var view = new LogRecordBatch(batch);
                        if (view.NextOffset <= req.FetchOffset) continue;
                        if (bytes.Length > 0 && bytes.Length + batch.Length > req.MaxFetchBytes) break;
                        bytes.Write(forTable.ProjectionPushdownEnabled ? Project(table, view, forTable.ProjectedFields.ToArray()) : batch);
                    }
                    if (bytes.Length > 0)
                    {
                        resp.Records = ByteString.CopyFrom(bytes.ToArray());
                        hasData = true;
                    }
                }
            }
        }
        return (response, hasData);
    }

    /// <summary>The batch with only the projected columns, as a server-side projection sends it.</summary>
    private static byte[] Project(FakeTable table, LogRecordBatch view, int[] fields)
    {
        var rowType = table.Info.RowType;
        using var full = view.ReadArrow(rowType);
        var projectedType = rowType.Project(fields);
        var projected = new RecordBatch(ArrowSchemas.ToArrowSchema(projectedType), fields.Select(f => full.Batch.Column(f)), full.RowCount);
        using var encoder = new ArrowLogBatchBuilder(Fluss.Metadata.ArrowCompressionType.None);
        var bytes = encoder.BuildAppendOnly(projected, new LogBatchHeader(view.SchemaId, view.WriterId, view.BatchSequence)).ToArray();
        LogRecordBatch.SetBaseOffset(bytes, view.BaseOffset);
        LogRecordBatch.SetCommitTimestamp(bytes, view.CommitTimestamp);
        return bytes;
    }

    public override Task<PutKvResponse> PutKv(PutKvRequest request, ServerCallContext context)
    {
        var response = new PutKvResponse();
        var drop = false;
        lock (state.Lock)
        {
            state.PutKvRequests.Add(request.Clone());
            var table = state.Tables.Values.Single(t => t.Id == request.TableId);
            if (table.Descriptor.Schema.PrimaryKey is null)
                throw new FlussException(FlussErrorCode.NonPrimaryKeyTable, $"Table {table.Path} is not a primary key table.");
            foreach (var req in request.BucketsReq)
            {
                var resp = new PbPutKvRespForBucket { BucketId = req.BucketId };
                response.BucketsResp.Add(resp);
                var attempt = state.PutKvAttempts[req.BucketId] = state.PutKvAttempts.GetValueOrDefault(req.BucketId) + 1;
                if (state.PutKvFault?.Invoke(req.BucketId, attempt) is { } fault)
                {
                    resp.ErrorCode = (int)fault;
                    resp.ErrorMessage = $"injected {fault}";
                    continue;
                }
                try
                {
                    resp.LogEndOffset = Apply(table.Kv[req.BucketId], req.Records.ToByteArray());
                }
                catch (FlussException e)
                {
                    resp.ErrorCode = (int)e.ErrorCode;
                    resp.ErrorMessage = e.Message;
                }
            }
            if (state.DropPutKvResponses > 0)
            {
                state.DropPutKvResponses--;
                drop = true;
            }
        }
        if (drop) throw new RpcException(new Status(StatusCode.Unavailable, "injected: the response was lost after the records were applied"));
        return Task.FromResult(response);
    }

    /// <summary>Applies a KV batch like a leader with the default merge engine; a resent batch is not applied twice.</summary>
    private static long Apply(FakeKv kv, byte[] bytes)
    {
        var batch = new Records.Kv.KvRecordBatch(bytes);
        batch.EnsureValid();
        if (batch.WriterId >= 0)
        {
            var last = kv.LastSequences.GetValueOrDefault(batch.WriterId, -1);
            if (batch.BatchSequence <= last) throw new FlussException(FlussErrorCode.DuplicateSequence, $"batch sequence {batch.BatchSequence} was already written");
            if (batch.BatchSequence != last + 1)
                throw new FlussException(FlussErrorCode.OutOfOrderSequence, $"expected sequence {last + 1} but got {batch.BatchSequence}");
            kv.LastSequences[batch.WriterId] = batch.BatchSequence;
        }
        foreach (var record in batch.Records)
        {
            var key = Convert.ToHexString(record.Key);
            if (record.IsDelete)
            {
                if (kv.Values.Remove(key)) kv.LogEndOffset++;
            }
            else
            {
                kv.LogEndOffset += kv.Values.ContainsKey(key) ? 2 : 1;
                kv.Values[key] = Records.Kv.ValueEncoder.Encode(batch.SchemaId, record.Row);
            }
        }
        kv.Batches.Add(bytes);
        return kv.LogEndOffset;
    }

    public override Task<LookupResponse> Lookup(LookupRequest request, ServerCallContext context) => Answer(request.Clone(), request.TableId, table =>
    {
        var response = new LookupResponse();
        foreach (var req in request.BucketsReq)
        {
            var resp = new PbLookupRespForBucket { BucketId = req.BucketId };
            response.BucketsResp.Add(resp);
            if (LookupFault(req.BucketId) is { } fault) (resp.ErrorCode, resp.ErrorMessage) = fault;
            else resp.Values.AddRange(req.Keys.Select(k => table.Kv[req.BucketId].Values.TryGetValue(Convert.ToHexString(k.Span), out var v) ? new PbValue { Values = ByteString.CopyFrom(v) } : new PbValue()));
        }
        return response;
    });

    public override Task<PrefixLookupResponse> PrefixLookup(PrefixLookupRequest request, ServerCallContext context) => Answer(request.Clone(), request.TableId, table =>
    {
        var response = new PrefixLookupResponse();
        foreach (var req in request.BucketsReq)
        {
            var resp = new PbPrefixLookupRespForBucket { BucketId = req.BucketId };
            response.BucketsResp.Add(resp);
            if (LookupFault(req.BucketId) is { } fault) (resp.ErrorCode, resp.ErrorMessage) = fault;
            else resp.ValueLists.AddRange(req.Keys.Select(p => Convert.ToHexString(p.Span)).Select(hex => new PbValueList
            {
                Values = { table.Kv[req.BucketId].Values.Where(kv => kv.Key.StartsWith(hex, StringComparison.Ordinal)).Select(kv => ByteString.CopyFrom(kv.Value)) },
            }));
        }
        return response;
    });

    /// <summary>Records a lookup request and answers it under the state's lock.</summary>
    private async Task<T> Answer<T>(IMessage request, long tableId, Func<FakeTable, T> answer)
    {
        Task? gate;
        lock (state.Lock)
        {
            state.LookupRequests.Add(request);
            gate = state.LookupGate;
        }
        if (gate is not null) await gate;
        lock (state.Lock) return answer(state.Tables.Values.Single(t => t.Id == tableId));
    }

    /// <summary>The injected error of this attempt at a bucket, if any.</summary>
    private (int Code, string Message)? LookupFault(int bucket)
    {
        var attempt = state.LookupAttempts[bucket] = state.LookupAttempts.GetValueOrDefault(bucket) + 1;
        return state.LookupFault?.Invoke(bucket, attempt) is { } fault ? ((int)fault, $"injected {fault}") : null;
    }

    public override Task<ListOffsetsResponse> ListOffsets(ListOffsetsRequest request, ServerCallContext context)
    {
        lock (state.Lock)
        {
            var table = state.Tables.Values.Single(t => t.Id == request.TableId);
            var response = new ListOffsetsResponse();
            foreach (var bucket in request.BucketId)
            {
                var log = table.Logs[bucket];
                long offset = request.OffsetType switch
                {
                    0 => 0,
                    1 => log.NextOffset,
                    _ => ByTimestamp(log, request.StartTimestamp),
                };
                response.BucketsResp.Add(new PbListOffsetsRespForBucket { BucketId = bucket, Offset = offset });
            }
            return Task.FromResult(response);
        }
    }

    private static long ByTimestamp(FakeLog log, long timestamp)
    {
        foreach (var batch in log.Batches)
        {
            var view = new LogRecordBatch(batch);
            if (view.CommitTimestamp >= timestamp) return view.BaseOffset;
        }
        return log.NextOffset;
    }
}
