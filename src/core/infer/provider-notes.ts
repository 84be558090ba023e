/**
 * @file Readable sentences for a provider fallback. ONNX Runtime's own reasons ("Failed to load shared library
 * libonnxruntime_providers_cuda.so", "OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load …") name
 * internals a scientist cannot act on, so the result's message leads with what happened and what to do, and
 * keeps ONNX Runtime's words after "details:" for whoever installs the GPU.
 */
import type { ProviderAttempt } from './session';

const PROVIDER_NAMES: Record<string, string> = {
  cpu: 'the CPU',
  cuda: 'CUDA (NVIDIA GPU)',
  dml: 'DirectML (GPU)',
  coreml: 'Core ML',
  tensorrt: 'TensorRT',
};

/** "CUDA (NVIDIA GPU)" for 'cuda'; unknown names as given. */
export function providerName(name: string): string {
  return PROVIDER_NAMES[name] ?? name;
}

/** What a failed attempt means for the user, from the patterns ONNX Runtime's messages carry. */
export function explainProviderFailure(attempt: ProviderAttempt): string {
  const error = attempt.error ?? '';
  const who = providerName(attempt.name);
  if (/no CUDA-capable device|cudaErrorNoDevice|CUDA failure 100/i.test(error)) {
    return `${who} found no usable GPU on this machine`;
  }
  if (/out of memory|CUDNN_STATUS_ALLOC_FAILED|cudaErrorMemoryAllocation/i.test(error)) {
    return `${who} ran out of GPU memory (a smaller tile size needs less)`;
  }
  if (attempt.name === 'cuda' && /shared library|\.so|AppendExecutionProvider_Cuda|libcu|cudnn/i.test(error)) {
    return `${who} is not installed with this app's ONNX Runtime (README, "GPU", says how to add it)`;
  }
  if (/not (?:supported|available|registered)|Unknown (?:execution )?provider|invalid provider/i.test(error)) {
    return `${who} is not available in this build of ONNX Runtime`;
  }
  if (/failed the check/.test(error)) return `${who} gave wrong answers on the start-up check`;
  return `${who} could not be used`;
}

/**
 * The message a result carries when its model did not run on the first provider tried, e.g.
 * `Model "dicnet-s" ran on the CPU: CUDA (NVIDIA GPU) is not installed … (details: cuda: Failed to load …).`
 * Null when the first provider worked.
 */
export function providerFallbackNote(what: string, provider: string, tried: readonly ProviderAttempt[]): string | null {
  const failed = tried.filter((t) => !t.ok);
  if (!failed.length) return null;
  const reasons = failed.map(explainProviderFailure).join('; ');
  const details = failed.map((t) => `${t.name}: ${t.error ?? 'no reason given'}`).join('; ');
  return `${what} ran on ${providerName(provider)}: ${reasons} (details: ${details}).`;
}
