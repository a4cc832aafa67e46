namespace Hilo.Ilgpu.Kernels.Runtime;

/// <summary>A device string names no device (or more than one); the message lists the devices there are.</summary>
public sealed class DeviceNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeviceNotFoundException() { }

    /// <summary>Creates the exception with a message.</summary>
    public DeviceNotFoundException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public DeviceNotFoundException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>An allocation failed because the device has too little free memory; names the size and the device.</summary>
public sealed class DeviceOutOfMemoryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeviceOutOfMemoryException() { }

    /// <summary>Creates the exception with a message.</summary>
    public DeviceOutOfMemoryException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public DeviceOutOfMemoryException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>ILGPU could not compile or load a kernel for a device; names the kernel and the device, and carries ILGPU's message (with the driver's build log where there is one).</summary>
public sealed class KernelCompilationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KernelCompilationException() { }

    /// <summary>Creates the exception with a message.</summary>
    public KernelCompilationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public KernelCompilationException(string message, Exception inner) : base(message, inner) { }
}
