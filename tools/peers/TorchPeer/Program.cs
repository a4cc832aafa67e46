namespace Hilo.Peers; internal static class P { static void Main() {} }
