// A promise used as a value: a Promise is always truthy, so this check always passes.
interface User { id: string; name: string }
declare function isAdmin(user: User): Promise<boolean>;

export async function requireAdmin(user: User): Promise<void> {
  if (!isAdmin(user)) throw new Error('admins only'); // expect: no-missing-await
}
