/**
 * @file Which ONNX Runtime execution providers to try, and in what order. The GPU provider that the
 * prebuilt `onnxruntime-node` binaries carry depends on the platform (CUDA on Linux x64, DirectML on Windows,
 * CoreML on macOS); CPU is always last so that a machine without a working GPU still computes. Users (and
 * tests) can replace the order with `LAB_EXECUTION_PROVIDERS=cpu` or e.g. `=cuda,cpu`.
 *
 * Nothing here loads ONNX Runtime: the order is only a wish list. Whether a provider really works is found
 * out by trying it (see "Note: provider fallback" in session.ts).
 */
import { LabError } from '../errors';

/** Environment variable holding a comma-separated provider list that replaces the platform default. */
export const PROVIDERS_ENV = 'LAB_EXECUTION_PROVIDERS';

/**
 * The GPU execution provider that the prebuilt onnxruntime-node binaries ship for this platform, or null
 * where there is none (Linux arm64, other platforms). Table from the onnxruntime-node 1.30 README: DirectML
 * on Windows x64 and arm64, CUDA 12 on Linux x64 only, CoreML on macOS x64 and arm64.
 */
export function gpuProviderFor(platform: NodeJS.Platform, arch: string): string | null {
  if (platform === 'linux' && arch === 'x64') return 'cuda';
  if (platform === 'win32') return 'dml';
  if (platform === 'darwin') return 'coreml';
  return null;
}

/**
 * Parses a provider list such as "cuda, cpu". Names are lower-cased, blanks and duplicates dropped.
 * Unknown names are kept on purpose: ONNX Runtime decides what it supports, and a name it rejects is
 * recorded as a failed attempt rather than silently discarded here.
 */
export function parseProviderList(text: string, source = PROVIDERS_ENV): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  for (const n of names) {
    if (!/^[a-z0-9_-]+$/.test(n)) {
      throw new LabError(
        'E_INVALID_INPUT',
        `${source} contains "${n}", which is not a provider name; use a comma-separated list such as "cuda,cpu".`,
      );
    }
  }
  const unique = [...new Set(names)];
  if (unique.length === 0) {
    throw new LabError('E_INVALID_INPUT', `${source} is set but names no provider; use e.g. "cpu" or "cuda,cpu", or unset it.`);
  }
  return unique;
}

/**
 * Providers to try, best first: the platform's GPU provider (if any) then 'cpu'. A non-empty
 * `LAB_EXECUTION_PROVIDERS` replaces the order exactly, so `=cuda` means "CUDA or nothing" (useful to check a
 * GPU install) while `=cpu` skips the GPU attempt entirely.
 */
export function providerOrder(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
  env: Record<string, string | undefined> = process.env,
): string[] {
  const override = env[PROVIDERS_ENV];
  if (override !== undefined && override.trim() !== '') return parseProviderList(override);
  const gpu = gpuProviderFor(platform, arch);
  return gpu ? [gpu, 'cpu'] : ['cpu'];
}
