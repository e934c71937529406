/** `viewer` reads; `op` also triggers, clears, marks and edits state; `admin` also manages users. */
export const USER_ROLES = ['viewer', 'op', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export function isUserRole(value: unknown): value is UserRole {
  return typeof value === 'string' && (USER_ROLES as readonly string[]).includes(value);
}

export function roleAllows(role: UserRole, required: UserRole): boolean {
  return USER_ROLES.indexOf(role) >= USER_ROLES.indexOf(required);
}
