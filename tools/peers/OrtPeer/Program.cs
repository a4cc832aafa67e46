using Microsoft.ML.OnnxRuntime;

namespace Hilo.Peers;

/// <summary>
/// ONNX Runtime (CPU execution provider) on an exported case: loads model.onnx with every graph optimisation and N
/// intra-op threads, checks its output on input.f32 against the reference, then times it (one JSON line).
/// </summary>
internal static class OrtPeer
{
    private static int Main(string[] args) => PeerRun.Execute(args, run =>
    {
        var c = PeerCase.Load(run.CaseDirectory);
        string model = c.PathOf("model.onnx");
        if (!File.Exists(model))
        {
            throw new PeerException($"{model}: no such file (run tools/peers/export_models.py)");
        }
        using var options = new SessionOptions
        {
            IntraOpNumThreads = run.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        InferenceSession session;
        try
        {
            session = new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new PeerException($"{model}: ONNX Runtime cannot load it: {e.Message}");
        }
        using (session)
        {
            float[] input = c.Input();
            float[] output = new float[c.OutputShape.Aggregate(1L, (a, b) => a * b)];
            using var x = OrtValue.CreateTensorValueFromMemory(input, c.InputShape);
            using var y = OrtValue.CreateTensorValueFromMemory(output, c.OutputShape);
            using var runOptions = new RunOptions();
            string[] inputNames = ["input"], outputNames = ["output"];
            OrtValue[] inputs = [x], outputs = [y];
            void Forward() => session.Run(runOptions, inputNames, inputs, outputNames, outputs);
            Forward();
            double error = run.Check(c, output, "onnxruntime");
            double seconds = run.BestSeconds(Forward);
            string version = typeof(InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "?";
            run.Report(c, "onnxruntime", version, seconds, error);
        }
        return 0;
    });
}
