using TorchSharp;
using static TorchSharp.torch;

namespace Hilo.Peers;

/// <summary>
/// LibTorch (TorchSharp-cpu) on an exported case: loads the frozen TorchScript model.pt, sets N intra-op threads, checks
/// its output on input.f32 against the reference, then times it under inference mode (one JSON line). Its native
/// library needs GLIBCXX_3.4.32 (libstdc++ of GCC 13+): on Debian 12 run it inside the trixie root of tools/pocl6.sh.
/// </summary>
internal static class TorchPeer
{
    private static int Main(string[] args) => PeerRun.Execute(args, run =>
    {
        var c = PeerCase.Load(run.CaseDirectory);
        string model = c.PathOf("model.pt");
        if (!File.Exists(model))
        {
            throw new PeerException($"{model}: no such file (run tools/peers/export_models.py)");
        }
        torch.set_num_threads(run.Threads);
        torch.set_num_interop_threads(1);
        jit.ScriptModule<Tensor, Tensor> module;
        try
        {
            module = jit.load<Tensor, Tensor>(model);
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException)
        {
            throw new PeerException($"{model}: LibTorch cannot load it: {e.Message.Split('\n')[0]}");
        }
        module.eval();
        float[] input = c.Input();
        using var x = torch.tensor(input, c.InputShape);
        float[] output;
        using (torch.inference_mode())
        {
            using (var y = module.call(x))
            {
                output = y.contiguous().data<float>().ToArray();
            }
            double error = run.Check(c, output, "libtorch");
            double seconds = run.BestSeconds(() => module.call(x).Dispose());
            run.Report(c, "libtorch", string.Join(".", torch.__version__.Split(".").Take(3)), seconds, error);
        }
        module.Dispose();
        return 0;
    });
}
