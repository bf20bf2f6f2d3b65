using System.Runtime.ExceptionServices;

namespace DynDbg.ElfSim.Elf;

/// <summary>
/// A second thread for <see cref="ElfWriter"/>: it builds the string table while the contents are written, and
/// encodes one half of each chunk of a big record table while the writing thread encodes the other. A linker's
/// relocations are converted again from their inputs as they are written (a fifth of a vmlinux.o link), and ld.bfd
/// leaves the machine's second core idle. One piece of work at a time; made for one file, ended with it.
/// </summary>
internal sealed class EncodingLane : IDisposable
{
    private readonly SemaphoreSlim _go = new(0);
    private readonly SemaphoreSlim _done = new(0);
    private Action? _work;
    private ExceptionDispatchInfo? _error;
    private bool _pending;
    private volatile bool _stopping;

    public EncodingLane()
    {
        // A small stack: the work is loops over records, never deep.
        new Thread(Loop, 256 << 10) { IsBackground = true, Name = "elf-encode" }.Start();
    }

    /// <summary>Whether work started is not joined yet.</summary>
    public bool Busy => _pending;

    /// <summary>Starts <paramref name="work"/> on the lane; <see cref="Join"/> waits for it.</summary>
    public void Start(Action work)
    {
        if (_pending)
        {
            throw new InvalidOperationException("the lane is busy");
        }

        _work = work;
        _pending = true;
        _go.Release();
    }

    /// <summary>Waits for the work started, and throws its exception here.</summary>
    public void Join()
    {
        Wait();
        if (_error is { } e)
        {
            _error = null;
            e.Throw();
        }
    }

    /// <summary>Runs <paramref name="theirs"/> on the lane and <paramref name="mine"/> here; both have finished when
    /// this returns, and an exception from either is thrown here (this thread's first).</summary>
    public void Run(Action mine, Action theirs)
    {
        Start(theirs);
        try
        {
            mine();
        }
        catch
        {
            Wait();
            _error = null;
            throw;
        }

        Join();
    }

    private void Wait()
    {
        if (_pending)
        {
            _done.Wait();
            _pending = false;
        }
    }

    private void Loop()
    {
        while (true)
        {
            _go.Wait();
            if (_stopping)
            {
                return;
            }

            try
            {
                _work!();
            }
            catch (Exception e)
            {
                _error = ExceptionDispatchInfo.Capture(e);
            }

            _work = null;
            _done.Release();
        }
    }

    /// <summary>Waits for any work still running (it reads the caller's inputs, which may be closed next), then
    /// ends the thread.</summary>
    public void Dispose()
    {
        Wait();
        _error = null;
        _stopping = true;
        _go.Release();
    }
}
