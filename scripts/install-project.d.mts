export function packPackage(packageDir: string, dest: string): string;
export function installProject(dir: string, specs: string[]): void;
export function measureNodeModules(dir: string): { packages: number; bytes: number; names: string[] };
export function coldImportMs(dir: string, specifier: string, nodeBin?: string): number;
export function freshProcessMs(dir: string, body: string, nodeBin?: string): number;
