/**
 * TypeDoc plugin of `npm run docs`: the documentation check for properties.
 *
 * `typedoc.json` requires documentation on every exported declaration except properties,
 * because TypeDoc would otherwise ask for a comment on each member of a documented data table
 * (`ERROR_CODES.CC_ERR_BODY_INVALID.status`) or event map (`PlacetelEventMap.HungUp.event`).
 * This plugin checks the properties that need one: those of interfaces and classes (options,
 * events, errors). A member of a type written inline is described by its container's comment.
 */
import { Application, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
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
