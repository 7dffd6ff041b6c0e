/**
 * TypeDoc plugin of `npm run docs`: module names, and the documentation check for properties.
 *
 * Module names: TypeDoc names each entry point's module by its source path
 * (`providers/placetel`, `stores/redis`); a reader imports it by its package path. Each module
 * is renamed to the import path that serves it: `callcontrol` for `src/index.ts`,
 * `callcontrol/placetel` for `src/providers/placetel/index.ts`, and so on. The path comes from
 * the build: `libraryEntries` of tsup.config.ts names the source of each `lib/<name>.js` (the
 * providers' by their folders, `lib/<name>.js` from `src/providers/<name>/index.ts`), and
 * package.json `exports` names the subpath whose `require` is `./lib/<name>.js`. A module that
 * no subpath serves is reported as a warning (the docs test fails on warnings).
 *
 * Properties: `typedoc.json` requires documentation on every exported declaration except
 * properties, because TypeDoc would otherwise ask for a comment on each member of a documented
 * data table (`ERROR_CODES.CC_ERR_BODY_INVALID.status`) or event map
 * (`PlacetelEventMap.HungUp.event`). This plugin checks the properties that need one: those of
 * interfaces and classes (options, events, errors). A member of a type written inline is
 * described by its container's comment.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, Converter, ReflectionKind } from 'typedoc';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Source file (relative to the repository, `src/providers/placetel/index.ts`) → the import path
 * that serves it (`callcontrol/placetel`).
 */
export function importPaths(root = ROOT) {
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
  const tsup = readFileSync(resolve(root, 'tsup.config.ts'), 'utf8');
  const block = /libraryEntries(?::[^=]*)? = \{([^}]*)\}/.exec(tsup)?.[1];
  if (block === undefined) throw new Error('tsup.config.ts: no `libraryEntries = { … }` found');
  const sources = new Map(
    [...block.matchAll(/^\s*([\w-]+): '([^']+)',?$/gm)].map(([, name, source]) => [name, source]),
  );
  // The provider entries (`...providerEntries`): one per folder of src/providers with an index.ts.
  for (const entry of readdirSync(resolve(root, 'src/providers'), { withFileTypes: true })) {
    const index = `src/providers/${entry.name}/index.ts`;
    if (entry.isDirectory() && existsSync(resolve(root, index))) sources.set(entry.name, index);
  }
  const paths = new Map();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = typeof target === 'string' ? target : target?.require?.default;
    const name = /^\.\/lib\/([\w-]+)\.js$/.exec(file ?? '')?.[1];
    const source = name === undefined ? undefined : sources.get(name);
    if (source === undefined) continue;
    paths.set(source, subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`);
  }
  return paths;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  const paths = importPaths();
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const file = module.sources?.[0]?.fullFileName;
      const source = file === undefined ? undefined : relative(ROOT, file).split('\\').join('/');
      const path = source === undefined ? undefined : paths.get(source);
      if (path === undefined) {
        app.logger.warn(
          `Module ${module.name} (${source ?? 'no source'}) is served by no package.json export`,
        );
        continue;
      }
      module.name = path;
    }
  });

  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    if (!app.options.getValue('validation').notDocumented) return;
    for (const property of project.getReflectionsByKind(ReflectionKind.Property)) {
      const owner = property.parent;
      if (owner === undefined || !owner.kindOf(ReflectionKind.Interface | ReflectionKind.Class)) {
        continue;
      }
      if (property.hasComment() || property.inheritedFrom !== undefined) continue;
      const source = property.sources?.[0];
      app.logger.validationWarning(
        `${property.getFriendlyFullName()} (Property)` +
          (source === undefined ? '' : `, defined in ${source.fileName}:${source.line}`) +
          ', does not have any documentation',
      );
    }
  });
}
