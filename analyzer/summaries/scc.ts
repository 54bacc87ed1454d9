/**
 * Strongly connected components (Tarjan), iterative so that deep graphs cannot overflow the
 * stack. Components come out callee-first: a component is emitted after every component it
 * reaches. Used by the summary engine (functions) and the lock graph (lock classes).
 */

/**
 * The components reachable from `roots`, in the order Tarjan's algorithm completes them.
 * `isLeaf` is asked for each successor before it is first entered: a leaf is neither entered
 * nor part of any component (its answer is already known). Roots are always entered.
 */
export function stronglyConnected<T>(roots: Iterable<T>, successors: (node: T) => Iterable<T>, isLeaf: (node: T) => boolean = () => false): T[][] {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const onStack = new Set<T>();
  const stack: T[] = [];
  const result: T[][] = [];
  const frames: { node: T; next: Iterator<T> }[] = [];
  let counter = 0;
  const enter = (node: T) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    frames.push({ node, next: successors(node)[Symbol.iterator]() });
  };
  for (const root of roots) {
    if (index.has(root)) continue;
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const step = frame.next.next();
      if (!step.done) {
        const to = step.value;
        if (!index.has(to)) {
          if (!isLeaf(to)) enter(to);
        } else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: T[] = [];
        let member: T;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        result.push(component);
      }
    }
  }
  return result;
}
