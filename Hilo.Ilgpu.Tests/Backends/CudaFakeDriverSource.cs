namespace Hilo.Ilgpu.Tests.Backends;

/// <summary>
/// C sources of stand-ins for <c>libcuda</c> and <c>libnvrtc</c>, built with clang-14 by
/// <see cref="CudaFakeDriverTests"/> so the CUDA backend's native call paths run on machines without a GPU.
/// They implement the documented contracts strictly: every call needs <c>cuInit</c> and the retained
/// context current on the calling thread, copies and fills must lie inside live allocations, <c>cuLaunchKernel</c>
/// reads its arguments through <c>kernelParams</c> and "runs" the test kernels on the host, JIT errors go to
/// the <c>CU_JIT_ERROR_LOG_BUFFER</c> option, and live-object counters expose leaks.
/// </summary>
internal static class CudaFakeDriverSource
{
    public const string Driver = """
        #include <pthread.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>

        typedef int CUresult;
        typedef unsigned long long CUdeviceptr;
        enum { OK = 0, E_VALUE = 1, E_OOM = 2, E_NOT_INIT = 3, E_DEVICE = 101, E_CONTEXT = 201,
               E_PTX = 218, E_HANDLE = 400, E_NOT_FOUND = 500, E_ILLEGAL = 700 };
        enum { MAGIC_STREAM = 0x5354, MAGIC_EVENT = 0x4556, MAGIC_MODULE = 0x4d4f, MAGIC_FUNC = 0x4655 };

        static int initialized, ctx_refs;
        static char ctx_object;
        static __thread void* current;
        static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
        #define MAX_ALLOCS 8192
        static struct { char* p; size_t n; } allocs[MAX_ALLOCS];
        static long live_allocs, live_streams, live_events, live_modules, launch_count;
        static double clock_ms;

        typedef struct { int magic; } stream_t;
        typedef struct { int magic; int recorded; double ms; } event_t;
        typedef struct { int magic; char* text; } module_t;
        typedef struct { int magic; module_t* module; char name[64]; } func_t;

        #define NEED_CTX() do { if (!initialized) return E_NOT_INIT; \
            if (current != &ctx_object || ctx_refs <= 0) return E_CONTEXT; } while (0)

        static int inside(CUdeviceptr p, size_t n) {
            int ok = 0;
            pthread_mutex_lock(&gate);
            for (int i = 0; i < MAX_ALLOCS && !ok; i++)
                if (allocs[i].p && p >= (CUdeviceptr)allocs[i].p && p + n <= (CUdeviceptr)allocs[i].p + allocs[i].n) ok = 1;
            pthread_mutex_unlock(&gate);
            return ok;
        }
        static int good_stream(void* s) { return s && ((stream_t*)s)->magic == MAGIC_STREAM; }

        long fake_live(int what) {
            switch (what) { case 0: return live_allocs; case 1: return live_streams; case 2: return live_events;
                            case 3: return live_modules; case 4: return ctx_refs; default: return launch_count; }
        }

        CUresult cuInit(unsigned flags) { if (flags != 0) return E_VALUE; initialized = 1; return OK; }
        CUresult cuDriverGetVersion(int* v) { *v = 12040; return OK; }
        CUresult cuGetErrorName(CUresult e, const char** s) {
            switch (e) {
                case OK: *s = "CUDA_SUCCESS"; return OK;
                case E_VALUE: *s = "CUDA_ERROR_INVALID_VALUE"; return OK;
                case E_OOM: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return OK;
                case E_NOT_INIT: *s = "CUDA_ERROR_NOT_INITIALIZED"; return OK;
                case E_CONTEXT: *s = "CUDA_ERROR_INVALID_CONTEXT"; return OK;
                case E_PTX: *s = "CUDA_ERROR_INVALID_PTX"; return OK;
                case E_HANDLE: *s = "CUDA_ERROR_INVALID_HANDLE"; return OK;
                case E_NOT_FOUND: *s = "CUDA_ERROR_NOT_FOUND"; return OK;
                case E_ILLEGAL: *s = "CUDA_ERROR_ILLEGAL_ADDRESS"; return OK;
                default: *s = 0; return E_VALUE;
            }
        }
        CUresult cuDeviceGetCount(int* n) { if (!initialized) return E_NOT_INIT; *n = 1; return OK; }
        CUresult cuDeviceGet(int* d, int ordinal) { if (!initialized) return E_NOT_INIT; if (ordinal != 0) return E_DEVICE; *d = 0; return OK; }
        CUresult cuDeviceGetName(char* name, int len, int dev) { if (dev != 0) return E_DEVICE; snprintf(name, len, "Fake CUDA Device"); return OK; }
        CUresult cuDeviceTotalMem_v2(size_t* bytes, int dev) { if (dev != 0) return E_DEVICE; *bytes = (size_t)8 << 30; return OK; }
        CUresult cuDeviceGetAttribute(int* pi, int attrib, int dev) {
            if (dev != 0) return E_DEVICE;
            switch (attrib) {
                case 1: *pi = 1024; return OK;
                case 2: *pi = 1024; return OK; case 3: *pi = 1024; return OK; case 4: *pi = 64; return OK;
                case 5: *pi = 2147483647; return OK; case 6: *pi = 65535; return OK; case 7: *pi = 65535; return OK;
                case 8: *pi = 49152; return OK; case 16: *pi = 28; return OK;
                case 75: *pi = 8; return OK; case 76: *pi = 6; return OK;
                default: return E_VALUE;
            }
        }
        CUresult cuDevicePrimaryCtxRetain(void** pctx, int dev) { if (!initialized) return E_NOT_INIT; if (dev != 0) return E_DEVICE;
            __sync_fetch_and_add(&ctx_refs, 1); *pctx = &ctx_object; return OK; }
        CUresult cuDevicePrimaryCtxRelease_v2(int dev) { if (dev != 0) return E_DEVICE; if (ctx_refs <= 0) return E_CONTEXT;
            __sync_fetch_and_sub(&ctx_refs, 1); return OK; }
        CUresult cuCtxSetCurrent(void* ctx) { if (ctx != 0 && ctx != &ctx_object) return E_CONTEXT; current = ctx; return OK; }

        CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t n) {
            NEED_CTX();
            if (n == 0) return E_VALUE;
            if (n > ((size_t)1 << 36)) return E_OOM;
            char* mem = malloc(n);
            if (!mem) return E_OOM;
            pthread_mutex_lock(&gate);
            int slot = -1;
            for (int i = 0; i < MAX_ALLOCS && slot < 0; i++) if (!allocs[i].p) slot = i;
            if (slot >= 0) { allocs[slot].p = mem; allocs[slot].n = n; live_allocs++; }
            pthread_mutex_unlock(&gate);
            if (slot < 0) { free(mem); return E_OOM; }
            *p = (CUdeviceptr)mem;
            return OK;
        }
        CUresult cuMemFree_v2(CUdeviceptr p) {
            NEED_CTX();
            int found = 0;
            pthread_mutex_lock(&gate);
            for (int i = 0; i < MAX_ALLOCS && !found; i++)
                if (allocs[i].p && (CUdeviceptr)allocs[i].p == p) { free(allocs[i].p); allocs[i].p = 0; live_allocs--; found = 1; }
            pthread_mutex_unlock(&gate);
            return found ? OK : E_VALUE;
        }
        CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, void* s) {
            NEED_CTX(); if (!good_stream(s)) return E_HANDLE; if (!src || !inside(dst, n)) return E_VALUE;
            memcpy((void*)dst, src, n); return OK; }
        CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, void* s) {
            NEED_CTX(); if (!good_stream(s)) return E_HANDLE; if (!dst || !inside(src, n)) return E_VALUE;
            memcpy(dst, (void*)src, n); return OK; }
        CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void* s) {
            NEED_CTX(); if (!good_stream(s)) return E_HANDLE; if (!inside(dst, n) || !inside(src, n)) return E_VALUE;
            if (dst < src + n && src < dst + n) return E_VALUE; /* the backend never asks for overlapping copies */
            memcpy((void*)dst, (void*)src, n); return OK; }
        CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, void* s) {
            NEED_CTX(); if (!good_stream(s)) return E_HANDLE; if (!inside(dst, n)) return E_VALUE;
            memset((void*)dst, v, n); return OK; }
        CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short v, size_t n, void* s) {
            NEED_CTX(); if (!good_stream(s)) return E_HANDLE; if (dst % 2 || !inside(dst, 2 * n)) return E_VALUE;
            for (size_t i = 0; i < n; i++) ((unsigned short*)dst)[i] = v; return OK; }
        CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int v, size_t n, void* s) {
            NEED_CTX(); if (!good_stream(s)) return E_HANDLE; if (dst % 4 || !inside(dst, 4 * n)) return E_VALUE;
            for (size_t i = 0; i < n; i++) ((unsigned int*)dst)[i] = v; return OK; }

        CUresult cuStreamCreate(void** ps, unsigned flags) {
            NEED_CTX(); if (flags > 1) return E_VALUE;
            stream_t* s = malloc(sizeof *s); s->magic = MAGIC_STREAM; *ps = s; __sync_fetch_and_add(&live_streams, 1); return OK; }
        CUresult cuStreamSynchronize(void* s) { NEED_CTX(); return good_stream(s) ? OK : E_HANDLE; }
        CUresult cuStreamDestroy_v2(void* s) { NEED_CTX(); if (!good_stream(s)) return E_HANDLE;
            ((stream_t*)s)->magic = 0; free(s); __sync_fetch_and_sub(&live_streams, 1); return OK; }

        CUresult cuEventCreate(void** pe, unsigned flags) {
            NEED_CTX(); if (flags != 0) return E_VALUE;
            event_t* e = calloc(1, sizeof *e); e->magic = MAGIC_EVENT; *pe = e; __sync_fetch_and_add(&live_events, 1); return OK; }
        CUresult cuEventRecord(void* pe, void* s) {
            NEED_CTX(); event_t* e = pe; if (!e || e->magic != MAGIC_EVENT || !good_stream(s)) return E_HANDLE;
            pthread_mutex_lock(&gate); clock_ms += 0.25; e->ms = clock_ms; pthread_mutex_unlock(&gate); e->recorded = 1; return OK; }
        CUresult cuEventSynchronize(void* pe) { NEED_CTX(); event_t* e = pe; return e && e->magic == MAGIC_EVENT ? OK : E_HANDLE; }
        CUresult cuEventElapsedTime_v2(float* ms, void* a, void* b) {
            NEED_CTX(); event_t* s = a; event_t* e = b;
            if (!s || !e || s->magic != MAGIC_EVENT || e->magic != MAGIC_EVENT || !s->recorded || !e->recorded) return E_HANDLE;
            *ms = (float)(e->ms - s->ms); return OK; }
        CUresult cuEventDestroy_v2(void* pe) { NEED_CTX(); event_t* e = pe; if (!e || e->magic != MAGIC_EVENT) return E_HANDLE;
            e->magic = 0; free(e); __sync_fetch_and_sub(&live_events, 1); return OK; }

        CUresult cuModuleLoadDataEx(void** pm, const void* image, unsigned n, int* options, void** values) {
            NEED_CTX();
            char* log = 0; size_t size = 0;
            for (unsigned i = 0; i < n; i++) {
                if (options[i] == 5) log = values[i];
                else if (options[i] == 6) size = (size_t)values[i];
                else return E_VALUE;
            }
            if (n > 0 && (!log || size == 0)) return E_VALUE;
            const char* text = image;
            if (strncmp(text, "// fake ptx", 11) != 0) {
                if (log) snprintf(log, size, "ptxas fatal   : fake driver: image is not PTX");
                return E_PTX;
            }
            module_t* m = malloc(sizeof *m); m->magic = MAGIC_MODULE; m->text = strdup(text);
            *pm = m; __sync_fetch_and_add(&live_modules, 1); return OK;
        }
        CUresult cuModuleGetFunction(void** pf, void* pm, const char* name) {
            NEED_CTX(); module_t* m = pm; if (!m || m->magic != MAGIC_MODULE) return E_HANDLE;
            char pattern[128]; snprintf(pattern, sizeof pattern, "__global__ void %s(", name);
            if (!strstr(m->text, pattern) || strlen(name) >= 64) return E_NOT_FOUND;
            func_t* f = malloc(sizeof *f); f->magic = MAGIC_FUNC; f->module = m; strcpy(f->name, name); *pf = f; return OK;
        }
        CUresult cuModuleUnload(void* pm) { NEED_CTX(); module_t* m = pm; if (!m || m->magic != MAGIC_MODULE) return E_HANDLE;
            m->magic = 0; free(m->text); free(m); __sync_fetch_and_sub(&live_modules, 1); return OK; }
        CUresult cuFuncGetAttribute(int* pi, int attrib, void* pf) {
            NEED_CTX(); func_t* f = pf; if (!f || f->magic != MAGIC_FUNC) return E_HANDLE;
            if (attrib != 0) return E_VALUE; *pi = 768; return OK; }

        /* Argument i of the launch, read as kernelParams[i] points: the native ABI of kernel-abi.md. */
        #define ARG(i, T) (*(T*)params[i])
        #define VIEW_OK(i, T) inside(ARG(i, CUdeviceptr) + (size_t)ARG((i) + 1, int) * sizeof(T), (size_t)ARG((i) + 2, int) * sizeof(T))
        struct mixed { int a; double b; float c; };

        CUresult cuLaunchKernel(void* pf, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                                unsigned shared, void* s, void** params, void** extra) {
            NEED_CTX();
            func_t* f = pf;
            if (!f || f->magic != MAGIC_FUNC || f->module->magic != MAGIC_MODULE || !good_stream(s)) return E_HANDLE;
            if (extra || !params || shared != 0 || !gx || !gy || !gz || !bx || !by || !bz) return E_VALUE;
            if (bx * by * bz > 768 || bz > 64 || gy > 65535 || gz > 65535) return E_VALUE;
            __sync_fetch_and_add(&launch_count, 1);
            const char* k = f->name;
            if (!strcmp(k, "hilo_test_vector_add")) {
                int n = ARG(9, int);
                if (!VIEW_OK(0, float) || !VIEW_OK(3, float) || !VIEW_OK(6, float)) return E_ILLEGAL;
                float* a = (float*)ARG(0, CUdeviceptr) + ARG(1, int); float* b = (float*)ARG(3, CUdeviceptr) + ARG(4, int);
                float* c = (float*)ARG(6, CUdeviceptr) + ARG(7, int);
                if ((long)gx * bx < n || ARG(10, int) != 1 || ARG(11, int) != 1) return E_VALUE;
                for (int i = 0; i < n; i++) { if (i >= ARG(2, int) || i >= ARG(5, int) || i >= ARG(8, int)) return E_ILLEGAL; c[i] = a[i] + b[i]; }
                return OK;
            }
            if (!strcmp(k, "hilo_test_affine")) {
                int n = ARG(5, int);
                if (!VIEW_OK(0, float)) return E_ILLEGAL;
                float* y = (float*)ARG(0, CUdeviceptr) + ARG(1, int);
                struct mixed p = ARG(3, struct mixed);
                int flag = ARG(4, int);
                for (int i = 0; i < n; i++) { if (i >= ARG(2, int)) return E_ILLEGAL; y[i] = flag ? (float)(p.a * i) + (float)p.b + p.c : -1.0f; }
                return OK;
            }
            if (!strcmp(k, "hilo_test_grid2d")) {
                if (!VIEW_OK(0, int)) return E_ILLEGAL;
                int* m = (int*)ARG(0, CUdeviceptr) + ARG(1, int);
                int w = ARG(3, int), h = ARG(4, int), stride = ARG(5, int), nx = ARG(6, int), ny = ARG(7, int);
                if ((long)gx * bx < nx || (long)gy * by < ny) return E_VALUE;
                for (int y = 0; y < ny; y++) for (int x = 0; x < nx; x++)
                    if (x < w && y < h) { if (y * stride + x >= ARG(2, int)) return E_ILLEGAL; m[y * stride + x] = x + 1000 * y; }
                return OK;
            }
            if (!strcmp(k, "hilo_test_count")) {
                if (!VIEW_OK(0, int) || ARG(2, int) < 1) return E_ILLEGAL;
                int* counter = (int*)ARG(0, CUdeviceptr) + ARG(1, int);
                __sync_fetch_and_add(counter, ARG(3, int));
                return OK;
            }
            if (!strcmp(k, "hilo_test_block_sum")) {
                if (!VIEW_OK(0, float) || !VIEW_OK(3, float) || bx != 256) return E_VALUE;
                float* in = (float*)ARG(0, CUdeviceptr) + ARG(1, int); float* out = (float*)ARG(3, CUdeviceptr) + ARG(4, int);
                if ((long)gx * bx != ARG(6, int) || (int)gx > ARG(5, int)) return E_ILLEGAL;
                float tile[256];
                for (unsigned g = 0; g < gx; g++) {
                    for (int t = 0; t < 256; t++) tile[t] = in[g * 256 + t];
                    for (int step = 128; step > 0; step >>= 1) for (int t = 0; t < step; t++) tile[t] += tile[t + step];
                    out[g] = tile[0];
                }
                return OK;
            }
            return E_NOT_FOUND;
        }
        """;

    public const string Nvrtc = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>

        typedef struct { char* src; char* name; char* log; char* ptx; } program_t;
        static long compile_count;
        long fake_nvrtc_compiles(void) { return compile_count; }

        int nvrtcVersion(int* major, int* minor) { *major = 12; *minor = 4; return 0; }
        const char* nvrtcGetErrorString(int r) {
            switch (r) { case 0: return "NVRTC_SUCCESS"; case 3: return "NVRTC_ERROR_INVALID_INPUT";
                         case 4: return "NVRTC_ERROR_INVALID_PROGRAM"; case 5: return "NVRTC_ERROR_INVALID_OPTION";
                         case 6: return "NVRTC_ERROR_COMPILATION"; default: return "NVRTC_ERROR unknown"; }
        }
        int nvrtcGetNumSupportedArchs(int* n) { *n = 4; return 0; }
        int nvrtcGetSupportedArchs(int* a) { a[0] = 75; a[1] = 80; a[2] = 86; a[3] = 90; return 0; }
        int nvrtcCreateProgram(void** prog, const char* src, const char* name, int nh, const char* const* h, const char* const* in) {
            if (!prog || !src || nh != 0 || h || in) return 3;
            if (!name || strlen(name) < 4 || strcmp(name + strlen(name) - 3, ".cu") != 0) return 3;
            program_t* p = calloc(1, sizeof *p); p->src = strdup(src); p->name = strdup(name); p->log = strdup("");
            *prog = p; return 0;
        }
        int nvrtcDestroyProgram(void** prog) {
            if (!prog || !*prog) return 4;
            program_t* p = *prog; free(p->src); free(p->name); free(p->log); free(p->ptx); free(p); *prog = 0; return 0;
        }
        int nvrtcCompileProgram(void* prog, int n, const char* const* options) {
            program_t* p = prog; if (!p) return 4;
            __sync_fetch_and_add(&compile_count, 1);
            if (n != 2 || strncmp(options[0], "--gpu-architecture=compute_", 27) != 0 || strcmp(options[1], "--fmad=false") != 0) {
                free(p->log); p->log = strdup("nvrtc: error: unexpected options"); return 5;
            }
            if (strstr(p->src, "hilo_undeclared_identifier")) {
                free(p->log); p->log = malloc(256);
                snprintf(p->log, 256, "%s(5): error: identifier \"hilo_undeclared_identifier\" is undefined\n\n1 error detected in the compilation of \"%s\".\n", p->name, p->name);
                return 6;
            }
            size_t size = strlen(p->src) + 64;
            p->ptx = malloc(size);
            snprintf(p->ptx, size, "// fake ptx\n// %s\n%s", options[0], p->src);
            return 0;
        }
        int nvrtcGetProgramLogSize(void* prog, size_t* size) { program_t* p = prog; *size = strlen(p->log) + 1; return 0; }
        int nvrtcGetProgramLog(void* prog, char* log) { program_t* p = prog; strcpy(log, p->log); return 0; }
        int nvrtcGetPTXSize(void* prog, size_t* size) { program_t* p = prog; if (!p->ptx) return 4; *size = strlen(p->ptx) + 1; return 0; }
        int nvrtcGetPTX(void* prog, char* ptx) { program_t* p = prog; if (!p->ptx) return 4; strcpy(ptx, p->ptx); return 0; }
        """;
}
