using Fluss.Errors;

namespace Fluss.Storage.Log;

/// <summary>
/// Opens the segments of a tablet directory and recovers them: leftovers of interrupted deletions and temporary
/// files are removed, index files without a log file are deleted, missing or inconsistent indexes are rebuilt, and
/// after an unclean shutdown every segment from the recovery point on is checked batch by batch (CRC included); the
/// first invalid batch and everything after it is cut off (later segments are deleted).
/// </summary>
internal static class LogLoader
{
    public static LogSegment[] Load(string directory, LogTabletOptions options, long recoveryPoint, bool cleanShutdown, WriterStateManager writers)
    {
        var files = System.IO.Directory.GetFiles(directory);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(LogFileNames.DeletedSuffix, StringComparison.Ordinal) || name.EndsWith(LogFileNames.TempSuffix, StringComparison.Ordinal))
                File.Delete(file);
        }

        var segments = new List<LogSegment>();
        try
        {
            foreach (var file in System.IO.Directory.GetFiles(directory))
            {
                var name = Path.GetFileName(file);
                var isIndex = name.EndsWith(LogFileNames.IndexSuffix, StringComparison.Ordinal) || name.EndsWith(LogFileNames.TimeIndexSuffix, StringComparison.Ordinal);
                if (isIndex && LogFileNames.OffsetOf(name) is { } indexBase && !File.Exists(LogFileNames.LogFile(directory, indexBase)))
                    File.Delete(file);
            }
            foreach (var file in System.IO.Directory.GetFiles(directory, "*" + LogFileNames.LogSuffix))
            {
                var name = Path.GetFileName(file);
                if (!name.EndsWith(LogFileNames.LogSuffix, StringComparison.Ordinal) || LogFileNames.OffsetOf(name) is not { } baseOffset) continue;
                segments.Add(LogSegment.Open(directory, baseOffset, options, active: false));
            }
            segments.Sort((a, b) => a.BaseOffset.CompareTo(b.BaseOffset));

            var recovered = new HashSet<LogSegment>();
            for (var i = 0; i < segments.Count; i++)
            {
                var segment = segments[i];
                if (segment.IndexFilesExisted && segment.OffsetIndex.SanityCheck(segment.Size) is null && segment.TimeIndex.SanityCheck() is null) continue;
                recovered.Add(segment);
                if (segment.Recover(out _) > 0)
                {
                    RemoveFrom(segments, i + 1, writers);
                    break;
                }
            }

            if (!cleanShutdown)
            {
                for (var i = FirstToRecover(segments, recoveryPoint); i < segments.Count; i++)
                {
                    var segment = segments[i];
                    if (recovered.Contains(segment)) continue;
                    if (segment.Recover(out _) > 0)
                    {
                        RemoveFrom(segments, i + 1, writers);
                        break;
                    }
                }
            }
            else if (segments.Count > 0 && !recovered.Contains(segments[^1]) && segments[^1].CheckTail() is not null)
            {
                segments[^1].Recover(out _);
            }

            if (segments.Count == 0) segments.Add(LogSegment.Open(directory, 0, options, active: true));
            else segments[^1].OnBecomeActive();
            return [.. segments];
        }
        catch (Exception e) when (e is not FlussException)
        {
            foreach (var s in segments) s.Close();
            throw new FlussException(FlussErrorCode.LogStorage, $"Failed to load the log in {directory}: {e.Message}", e);
        }
        catch
        {
            foreach (var s in segments) s.Close();
            throw;
        }
    }

    /// <summary>Index of the segment holding <paramref name="recoveryPoint"/> (the first one when it lies below all of them).</summary>
    private static int FirstToRecover(List<LogSegment> segments, long recoveryPoint)
    {
        var index = 0;
        for (var i = 0; i < segments.Count; i++)
            if (segments[i].BaseOffset <= recoveryPoint) index = i;
        return index;
    }

    private static void RemoveFrom(List<LogSegment> segments, int start, WriterStateManager writers)
    {
        for (var i = segments.Count - 1; i >= start; i--)
        {
            segments[i].Delete();
            writers.RemoveAndDeleteSnapshot(segments[i].BaseOffset);
            segments.RemoveAt(i);
        }
    }
}
