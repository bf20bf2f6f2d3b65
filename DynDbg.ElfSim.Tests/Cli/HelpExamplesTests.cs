using DynDbg.ElfSim.Cli;

namespace DynDbg.ElfSim.Tests.Cli;

/// <summary>
/// Issue 15: every command's help ends with two or three examples, and they are real: each parses without an
/// error, and those that only read the repository's samples run on them as printed.
/// </summary>
[TestFixture]
public class HelpExamplesTests
{
    private static IEnumerable<string> Commands() =>
        Program.CreateRoot(new CliOutput(TextWriter.Null, TextWriter.Null)).Subcommands.Select(c => c.Name);

    [TestCaseSource(nameof(Commands))]
    public void Help_EndsWithTwoOrThreeExamples(string command)
    {
        var (code, stdout, _) = CliRunner.Run(command, "--help");
        code.Should().Be(ExitCodes.Ok);
        var examples = stdout[stdout.IndexOf("Examples:\n", StringComparison.Ordinal)..].Split('\n')
            .Where(l => l.StartsWith($"  {Program.Name} {command}", StringComparison.Ordinal)).ToArray();
        examples.Length.Should().BeInRange(2, 3);
        CommandExamples.For(command).Select(e => $"  {Program.Name} {e.Line}").Should().Equal(examples);
    }

    [TestCaseSource(nameof(Commands))]
    public void Examples_ParseWithoutAnError(string command)
    {
        var root = Program.CreateRoot(new CliOutput(TextWriter.Null, TextWriter.Null));
        foreach (var (line, _) in CommandExamples.For(command))
        {
            var parse = root.Parse(ToolWords(line));
            parse.Errors.Should().BeEmpty(line);
            parse.CommandResult.Command.Name.Should().Be(command);
        }
    }

    [Test]
    public void TheCommandTable_NamesEachCommandAsItIsCreated_AndARootOfOneCommandHoldsItAlone()
    {
        var io = new CliOutput(TextWriter.Null, TextWriter.Null);
        Program.Commands.Select(c => c.Create(io).Name).Should().Equal(Program.Commands.Select(c => c.Name));
        Program.CreateRoot(io).Subcommands.Select(c => c.Name).Should().StartWith(Program.Commands.Select(c => c.Name))
            .And.Contain("completion");
        foreach (var (name, _) in Program.Commands)
        {
            var root = Program.CreateRoot(io, name);
            root.Subcommands.Select(c => c.Name).Should().Equal(name);
            foreach (var (line, _) in CommandExamples.For(name))
            {
                root.Parse(ToolWords(line)).Errors.Should().BeEmpty(line);
            }
        }

        Program.CreateRoot(io, "nosuch").Subcommands.Should().HaveCount(Program.Commands.Length + 2, "an unknown word gets the whole tree, to name the nearest command");
    }

    /// <summary>Those without a pipe or redirection that name only samples: run as printed, from the checkout.</summary>
    [Test]
    public void SampleExamples_RunOnTheSamples()
    {
        var ran = 0;
        foreach (var (line, _) in Commands().SelectMany(c => CommandExamples.For(c)))
        {
            var words = Words(line);
            if (words.Length != ToolWords(line).Length || words.Any(w => w is "-o" or "-Map") || !words.Any(w => w.StartsWith("samples/", StringComparison.Ordinal)))
            {
                continue;
            }

            var args = words.Select(w => w.StartsWith("samples/", StringComparison.Ordinal) ? Path.Combine(TestPaths.Root, w) : w).ToArray();
            var (code, _, stderr) = CliRunner.Run(args);
            code.Should().BeOneOf([ExitCodes.Ok, ExitCodes.CheckFailed], $"{line}: {stderr}");
            ran++;
        }

        ran.Should().BeGreaterThanOrEqualTo(5);
    }

    /// <summary>Splits as a shell would for these lines: on spaces, with single quotes grouping.</summary>
    private static string[] Words(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in line)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any)
                {
                    words.Add(current.ToString());
                }

                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (any)
        {
            words.Add(current.ToString());
        }

        return [.. words];
    }

    /// <summary>The words the tool gets: those before a pipe or a redirection.</summary>
    private static string[] ToolWords(string line) => [.. Words(line).TakeWhile(w => w is not ("|" or ">"))];
}
