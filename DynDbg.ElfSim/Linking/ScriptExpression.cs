namespace DynDbg.ElfSim.Linking;

/// <summary>
/// A linker-script expression. <see cref="Print"/> renders it the way GNU ld's map does (ld/ldexp.c
/// <c>exp_print_tree</c>): numbers in hex, binary operators parenthesised, <c>ALIGN (0x8)</c>, <c>ADDR (.text)</c>.
/// </summary>
public abstract record ScriptExpression(ScriptLocation Location)
{
    public abstract string Print();

    /// <summary>Levels of the tree; the parser bounds it so that folding and printing cannot overflow the stack.</summary>
    public virtual int Depth => 1;

    /// <summary>A number; <see cref="Text"/> is how it was written.</summary>
    public sealed record Number(ulong Value, string Text, ScriptLocation At) : ScriptExpression(At)
    {
        public override string Print() => $"0x{Value:x}";
    }

    /// <summary>A symbol, or <c>.</c> (the location counter).</summary>
    public sealed record Symbol(string Name, ScriptLocation At) : ScriptExpression(At)
    {
        public bool IsDot => Name == ".";

        public override string Print() => Name;
    }

    /// <summary><c>-x</c>, <c>~x</c>, <c>!x</c>, and the one-argument functions ALIGN, ABSOLUTE, NEXT, LOG2CEIL.</summary>
    public sealed record Unary(string Op, ScriptExpression Operand, ScriptLocation At) : ScriptExpression(At)
    {
        public override int Depth { get; } = 1 + Operand.Depth;

        public override string Print() => $"{Op} ({Operand.Print()})";
    }

    /// <summary>Infix operators, and the two-argument functions ALIGN, MAX, MIN.</summary>
    public sealed record Binary(string Op, ScriptExpression Left, ScriptExpression Right, ScriptLocation At) : ScriptExpression(At)
    {
        public bool IsFunction => Op is "ALIGN" or "MAX" or "MIN";

        public override int Depth { get; } = 1 + Math.Max(Left.Depth, Right.Depth);

        public override string Print() => IsFunction
            ? $"{Op} ({Left.Print()}, {Right.Print()})"
            : $"({Left.Print()} {Op} {Right.Print()})";
    }

    public sealed record Conditional(ScriptExpression Condition, ScriptExpression Then, ScriptExpression Else, ScriptLocation At) : ScriptExpression(At)
    {
        public override int Depth { get; } = 1 + Math.Max(Condition.Depth, Math.Max(Then.Depth, Else.Depth));

        public override string Print() => $"{Condition.Print()}?{Then.Print()}:{Else.Print()}";
    }

    /// <summary>ADDR, SIZEOF, ALIGNOF, LOADADDR of an output section; DEFINED of a symbol; CONSTANT of a name.</summary>
    public sealed record NameFunction(string Function, string Argument, ScriptLocation At) : ScriptExpression(At)
    {
        public override string Print() => $"{Function} ({Argument})";
    }

    /// <summary>True when the tree mentions <paramref name="name"/> as a symbol (for self-assignment checks).</summary>
    public bool Mentions(string name) => this switch
    {
        Symbol s => s.Name == name,
        Unary u => u.Operand.Mentions(name),
        Binary b => b.Left.Mentions(name) || b.Right.Mentions(name),
        Conditional c => c.Condition.Mentions(name) || c.Then.Mentions(name) || c.Else.Mentions(name),
        _ => false,
    };
}
