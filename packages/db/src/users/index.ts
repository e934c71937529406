export * from './ensure-admin-user.ts';
export * from './user-accounts.ts';
