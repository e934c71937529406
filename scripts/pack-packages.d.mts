/** See scripts/pack-packages.mjs. */
export function buildPackages(): Promise<void>;
export function buildPackagesInPlace(): Promise<void>;
export function packPackages(): string[];
