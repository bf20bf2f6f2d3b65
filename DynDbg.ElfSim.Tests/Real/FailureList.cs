using System.Collections.Concurrent;
using DynDbg.ElfSim.Diagnostics;

namespace DynDbg.ElfSim.Tests.Real;

/// <summary>
/// Collects per-file problems from parallel scans so one run reports every broken file, not just the first.
/// </summary>
public sealed class FailureList
{
    private const int ShownInMessage = 60;
    private readonly ConcurrentBag<string> _items = new();

    public int Count => _items.Count;

    public void Add(string file, string problem) => _items.Add($"{file}: {problem}");

    /// <summary>Runs one file's check; our own errors and anything else it throws become that file's problem.</summary>
    public void Run(string file, Action check)
    {
        try
        {
            check();
        }
        catch (DiagnosticException e)
        {
            Add(file, e.OneLine);
        }
        catch (Exception e)
        {
            Add(file, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Fails the test listing every problem (the full list also goes to the test output).</summary>
    public void AssertNone(string what)
    {
        if (_items.IsEmpty)
        {
            return;
        }

        var all = _items.Order(StringComparer.Ordinal).ToArray();
        TestContext.Out.WriteLine($"{what}: {all.Length} problem(s):");
        foreach (var line in all)
        {
            TestContext.Out.WriteLine("  " + line);
        }

        var shown = string.Join("\n  ", all.Take(ShownInMessage));
        var more = all.Length > ShownInMessage ? $"\n  ... and {all.Length - ShownInMessage} more (see test output)" : "";
        Assert.Fail($"{what}: {all.Length} problem(s):\n  {shown}{more}");
    }
}
