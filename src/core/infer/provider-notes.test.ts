import { describe, expect, it } from 'vitest';
import { explainProviderFailure, providerFallbackNote, providerName } from './provider-notes';

// ONNX Runtime 1.30's words on a Linux machine without the CUDA provider libraries (as recorded by the probe).
const CUDA_MISSING =
  'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library libonnxruntime_providers_cuda.so: cannot open shared object file';

describe('provider fallback notes', () => {
  it('says nothing when the first provider worked', () => {
    expect(providerFallbackNote('Model "m"', 'cuda', [{ name: 'cuda', ok: true }])).toBeNull();
  });

  it('leads with what to do and keeps ONNX Runtime’s words as details', () => {
    const note = providerFallbackNote('Model "dicnet-s"', 'cpu', [
      { name: 'cuda', ok: false, error: CUDA_MISSING },
      { name: 'cpu', ok: true },
    ])!;
    expect(note.startsWith('Model "dicnet-s" ran on the CPU: CUDA (NVIDIA GPU) is not installed')).toBe(true);
    expect(note).toContain('README, "GPU"');
    expect(note).toContain(`(details: cuda: ${CUDA_MISSING}).`);
  });

  it('tells a missing GPU, a full GPU, a failed check and an unknown provider apart', () => {
    expect(explainProviderFailure({ name: 'cuda', ok: false, error: 'CUDA failure 100: no CUDA-capable device is detected' })).toMatch(/no usable GPU/);
    expect(explainProviderFailure({ name: 'cuda', ok: false, error: 'CUDA error cudaErrorMemoryAllocation: out of memory' })).toMatch(/out of GPU memory/);
    expect(explainProviderFailure({ name: 'dml', ok: false, error: 'created a session but failed the check: max |diff| 3' })).toBe('DirectML (GPU) gave wrong answers on the start-up check');
    expect(explainProviderFailure({ name: 'rocm', ok: false, error: "Unknown execution provider: 'rocm'" })).toBe('rocm is not available in this build of ONNX Runtime');
    expect(explainProviderFailure({ name: 'coreml', ok: false, error: 'something else' })).toBe('Core ML could not be used');
  });

  it('names known providers for people and leaves unknown ones as given', () => {
    expect(providerName('cpu')).toBe('the CPU');
    expect(providerName('openvino')).toBe('openvino');
  });
});
