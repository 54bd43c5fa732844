using System.Reflection;
using System.Reflection.Emit;

namespace ActionConnections.Tests.Architecture;

/// <summary>
/// Issue 12, item 5: feature folders depend on each other without loops. A feature is the first
/// namespace segment under <c>ActionConnections</c> (its top folder); it depends on another when
/// any of its types names one of the other's types: base type, interfaces, fields, properties,
/// signatures, attributes, and every type, method and field the IL of its method bodies refers
/// to (lambdas and async state machines included, as nested types of their feature).
/// </summary>
public sealed class FeatureDependencyTests
{
    private const string Root = "ActionConnections";

    /// <summary>
    /// Shared folders any feature may use; they use no feature (checked too). <c>Settings</c> is
    /// how every feature binds and validates its own options.
    /// </summary>
    private static readonly HashSet<string> Kernel = new(StringComparer.Ordinal) { "Errors", "Http", "Settings", "Storage" };

    /// <summary>
    /// Folders that put the features together and so name them all: the admin CLI, hosting
    /// (service registration, settings validation) and the one source-generated JSON context.
    /// Their own dependencies are not counted. Features may use the JSON context (there is one,
    /// ADR 0004's <c>AppJson</c>), but not the CLI or hosting: each feature owns its settings and
    /// registrations (checked below).
    /// </summary>
    private static readonly HashSet<string> CompositionRoots = new(StringComparer.Ordinal) { "Cli", "Hosting", "Json" };

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [Fact]
    public void FeatureFolders_HaveNoDependencyLoops()
    {
        var graph = FeatureGraph();
        var loops = StronglyConnected(graph).Where(c => c.Count > 1).ToList();
        Assert.True(
            loops.Count == 0,
            "Feature folders in a dependency loop: " + string.Join("; ", loops.Select(c => Describe(c, graph)))
            + "\nEdges in loops: " + string.Join(" ", loops.SelectMany(c => c.SelectMany(from => graph[from].Keys.Where(c.Contains).Select(to => $"\"{from} -> {to}\",")))));
    }

    [Fact]
    public void Features_UseNeitherHostingNorTheCli()
    {
        var graph = FeatureGraph();
        var offending = graph
            .SelectMany(from => from.Value.Where(to => to.Key is "Hosting" or "Cli").Select(to => $"{from.Key} -> {to.Key} ({to.Value})"))
            .ToList();
        Assert.True(offending.Count == 0, "Features depending on a composition root: " + string.Join("; ", offending));
    }

    [Fact]
    public void KernelFolders_DependOnNoFeature()
    {
        var graph = FeatureGraph();
        var offending = Kernel.Where(graph.ContainsKey)
            .SelectMany(k => graph[k].Keys.Where(to => !Kernel.Contains(to) && !CompositionRoots.Contains(to)).Select(to => $"{k} -> {to} ({graph[k][to]})"))
            .ToList();
        Assert.True(offending.Count == 0, "Kernel folders depending on features: " + string.Join("; ", offending));
    }

    [Fact]
    public void TheGraph_SeesDependenciesInMethodBodies()
    {
        // The check is only as good as what it reads: a store that writes audit events only in
        // its method bodies must show up.
        var graph = FeatureGraph();
        Assert.True(graph.Count > 10, $"only {graph.Count} features found");
        Assert.Contains("Audit", graph["Connections"].Keys);
    }

    /// <summary>feature → (feature it uses → one example "Type uses Type").</summary>
    private static Dictionary<string, Dictionary<string, string>> FeatureGraph()
    {
        var assembly = typeof(ActionConnections.Http.RouteIds).Assembly;
        var graph = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            if (FeatureOf(type) is not { } from || CompositionRoots.Contains(from))
            {
                continue;
            }

            var edges = graph.TryGetValue(from, out var existing) ? existing : graph[from] = new(StringComparer.Ordinal);
            foreach (var used in ReferencedTypes(type))
            {
                if (FeatureOf(used) is { } to && to != from && !edges.ContainsKey(to))
                {
                    edges[to] = $"{Name(type)} uses {Name(used)}";
                }
            }
        }

        return graph;
    }

    private static string? FeatureOf(Type type)
    {
        var ns = (type.IsNested ? Outermost(type) : type).Namespace;
        if (ns is null || !ns.StartsWith(Root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        return ns[(Root.Length + 1)..].Split('.')[0];
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    private static string Name(Type type) => type.FullName ?? type.Name;

    private static HashSet<Type> ReferencedTypes(Type type)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || !found.Add(t))
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
            }

            if (t.IsGenericType)
            {
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }

        foreach (var attribute in type.GetCustomAttributesData())
        {
            Add(attribute.AttributeType);
        }

        foreach (var field in type.GetFields(All))
        {
            Add(field.FieldType);
        }

        foreach (var property in type.GetProperties(All))
        {
            Add(property.PropertyType);
        }

        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }

            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }

            foreach (var used in TypesInBody(method))
            {
                Add(used);
            }
        }

        return found;
    }

    /// <summary>The types named by the operands of <paramref name="method"/>'s IL (calls, fields, types, tokens).</summary>
    private static IEnumerable<Type> TypesInBody(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }

            var opCode = OpCodesByValue[value];
            var operandSize = opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
                _ => 4,
            };
            if (opCode.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, position);
                MemberInfo? member = null;
                try
                {
                    member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    // A member of another module that cannot be resolved here: not one of ours.
                }

                switch (member)
                {
                    case Type t:
                        yield return t;
                        break;
                    case MethodBase m:
                        if (m.DeclaringType is { } owner)
                        {
                            yield return owner;
                        }

                        if (m.IsGenericMethod)
                        {
                            foreach (var argument in m.GetGenericArguments())
                            {
                                yield return argument;
                            }
                        }

                        break;
                    case FieldInfo f when f.DeclaringType is { } fieldOwner:
                        yield return fieldOwner;
                        break;
                }
            }

            position += operandSize;
        }
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.TryGetValue(node, out var edges) ? edges.Keys.ToList() : [])
            {
                if (!index.TryGetValue(next, out var nextIndex))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], nextIndex);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in graph.Keys.ToList())
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;
    }

    private static string Describe(List<string> component, Dictionary<string, Dictionary<string, string>> graph) =>
        "{" + string.Join(", ", component.OrderBy(c => c, StringComparer.Ordinal)) + "}: "
        + string.Join(", ", component.SelectMany(from => graph[from].Where(e => component.Contains(e.Key)).Select(e => $"{from} -> {e.Key} [{e.Value}]")));
}
