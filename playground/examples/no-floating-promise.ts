// A promise nobody waits for: its rejection is unhandled and its work may not be done in time.
interface User { id: string; email: string }
declare function loadUser(id: string): Promise<User>;
declare function notify(user: User): Promise<void>;

export async function onSignup(id: string) {
  const user = await loadUser(id);
  notify(user); // expect: no-floating-promise
  return user;
}
