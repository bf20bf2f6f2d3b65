using DynDbg.ElfSim.Diagnostics;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// Outputs are written whole or not at all: into a hidden temporary file beside the target, then renamed into place
/// (<see cref="Commit"/>: an existing file is renamed aside first). A failure is one <see cref="UsageException"/>
/// (USG002) naming the path the user gave, never the temporary one.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; on a failure the target is as it was.</summary>
    public static void Write(string path, Action<Stream> write) => Commit(Stage(path, write));

    /// <summary>
    /// The first half of <see cref="Write"/>: the complete content in a temporary file, not yet in place. Several
    /// outputs of one command (an object and its map) are staged first and committed together, so a failing
    /// second one does not leave the first behind.
    /// </summary>
    public static Staged Stage(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
            }

            return new Staged(path, full, temp);
        }
        catch (Exception e)
        {
            TryDelete(temp); // whatever failed, no part of a file stays behind
            if (e is IOException or UnauthorizedAccessException)
            {
                throw CannotWrite(path, full, temp, e);
            }

            throw;
        }
    }

    /// <summary>
    /// Renames a staged file into place. An existing regular file there is first renamed aside and deleted once the
    /// new one is in place (or renamed back if that fails): ext4 (auto_da_alloc) writes a file's data out before
    /// the rename that replaces another file returns, 6-7 ms for the 9 MB output of a vmlinux.o link, a tenth of
    /// the link, where two renames to free names cost 0.1 ms. That is the power-loss guarantee of rename-over, which
    /// ld.bfd does not give either (it deletes the old output and writes in place); a crash of this process still
    /// never leaves part of a file, and the path is without a file only between the two renames (a process killed
    /// there leaves the old file under the hidden name). When the old file cannot be moved aside (a name too long
    /// for the hidden one, say), the new one is renamed over it as before.
    /// </summary>
    public static void Commit(Staged staged)
    {
        string? aside = null;
        try
        {
            var hidden = staged.Temp + ".old";
            if (IsReplaceable(staged.Full) && TryMove(staged.Full, hidden, overwrite: true))
            {
                aside = hidden;
            }

            File.Move(staged.Temp, staged.Full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (aside is not null)
            {
                _ = TryMove(aside, staged.Full, overwrite: false); // if that fails too, the old file stays under the hidden name
            }

            TryDelete(staged.Temp);
            throw CannotWrite(staged.Path, staged.Full, staged.Temp, e);
        }

        if (aside is not null)
        {
            TryDelete(aside);
        }
    }

    /// <summary>An existing entry that is neither a directory nor a symbolic link (a symbolic link is replaced by the
    /// rename as before; a directory fails the rename with its own message).</summary>
    private static bool IsReplaceable(string path)
    {
        var info = new FileInfo(path);
        return info.Exists && info.LinkTarget is null;
    }

    /// <summary>A rename that may fail: false leaves both names as they were.</summary>
    private static bool TryMove(string from, string to, bool overwrite)
    {
        try
        {
            File.Move(from, to, overwrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Removes a staged file that will not be committed.</summary>
    public static void Discard(Staged staged) => TryDelete(staged.Temp);

    private static UsageException CannotWrite(string path, string full, string temp, Exception e)
    {
        var dir = Path.GetDirectoryName(full) ?? ".";
        var why = Directory.Exists(full) ? "it is a directory"
            : !Directory.Exists(dir) ? $"directory '{dir}' does not exist"
            : e is UnauthorizedAccessException ? $"permission denied in '{dir}'"
            : e.Message.Replace(temp, full, StringComparison.Ordinal);
        return new UsageException(UsageErrorIds.CannotWriteOutput, path, "output", null, $"cannot write: {why}");
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // nothing was left, or nothing can be done about it
        }
    }

    /// <summary>A complete temporary file waiting to be renamed to <see cref="Path"/>.</summary>
    public sealed record Staged(string Path, string Full, string Temp);
}
