/**
 * The few ts-api-utils helpers the analyzer uses, written over the analyzer's own TypeScript
 * module (./typescript.cjs). The ts-api-utils package loads `typescript` by itself: in a
 * project on TypeScript 7 (which has no classic API) or on another 5.x/6.0 copy than the one
 * that built the program, its enum values would not match the program's. Import it from here
 * (`import tsutils from './ts-api-utils.cjs'`).
 */
import ts = require('./typescript.cjs');

/** The members of a union type, or the type itself. */
function unionConstituents(type: ts.Type): ts.Type[] {
  return type.flags & ts.TypeFlags.Union ? (type as ts.UnionType).types : [type];
}

/** The members of an intersection type, or the type itself. */
function intersectionConstituents(type: ts.Type): ts.Type[] {
  return type.flags & ts.TypeFlags.Intersection ? (type as ts.IntersectionType).types : [type];
}

/** A property by its escaped name (names starting with `__` are looked up by hand). */
function getPropertyOfType(type: ts.Type, name: ts.__String): ts.Symbol | undefined {
  if (!(name as string).startsWith('__')) return type.getProperty(name as string);
  return type.getProperties().find((s) => s.escapedName === name);
}

/** The property named by a well-known symbol (`Symbol.iterator`, `Symbol.asyncDispose`...). */
function getWellKnownSymbolPropertyOfType(type: ts.Type, wellKnownSymbolName: string, checker: ts.TypeChecker): ts.Symbol | undefined {
  const prefix = `__@${wellKnownSymbolName}`;
  for (const prop of type.getProperties()) {
    if (!prop.name.startsWith(prefix)) continue;
    const declaration = (prop.valueDeclaration ?? prop.getDeclarations()?.[0]) as ts.NamedDeclaration | undefined;
    const name = declaration?.name;
    if (!name || !ts.isComputedPropertyName(name)) continue;
    const globalSymbol = checker.getApparentType(checker.getTypeAtLocation(name.expression)).symbol as ts.Symbol | undefined;
    if (prop.escapedName === wellKnownSymbolKey(checker, globalSymbol, wellKnownSymbolName)) return prop;
  }
  return undefined;
}

/** The escaped name under which `Symbol.<name>` keys properties (unique symbol, or `__@name`). */
function wellKnownSymbolKey(checker: ts.TypeChecker, symbolConstructor: ts.Symbol | undefined, name: string): ts.__String {
  const known = symbolConstructor?.valueDeclaration && checker.getTypeOfSymbolAtLocation(symbolConstructor, symbolConstructor.valueDeclaration).getProperty(name);
  const knownType = known && known.valueDeclaration ? checker.getTypeOfSymbolAtLocation(known, known.valueDeclaration) : undefined;
  if (knownType && knownType.flags & ts.TypeFlags.UniqueESSymbol) return (knownType as ts.UniqueESSymbolType).escapedName;
  return `__@${name}` as ts.__String;
}

const tsutils = { unionConstituents, intersectionConstituents, getPropertyOfType, getWellKnownSymbolPropertyOfType };
export = tsutils;
