/**
 * The four stores on global tables, from a client for the nearest copy and one for the
 * primary (the same client when the function runs in the primary region). See regional.ts
 * for which call goes where, and docs/multi-region.md for why.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../../core/config/types';
import type { Stores } from '../../core/stores';
import { DynamoActivity } from './activity';
import { DynamoSessionStore } from '../dynamodb/sessions';
import { DynamoShardedMauStore } from './sharded-mau';
import { DynamoSignInStore } from '../dynamodb/sign-in';
import { DynamoUserStore } from '../dynamodb/users';
import { DynamoSessionEnds } from './session-ends';
import { RegionalSessionStore, RegionalUserStore } from './regional';

export function globalStores(tables: TableNames, near: DynamoDBClient, home: DynamoDBClient, now?: () => number): Stores {
  const sessions = (client: DynamoDBClient) => new DynamoSessionStore({ tableName: tables.sessions, client, ...(now !== undefined && { now }) });
  const nearSessions = sessions(near);
  const homeSessions = near === home ? nearSessions : sessions(home);
  const nearActivity = new DynamoActivity({ tableName: tables.sessions, client: near });
  const homeActivity = near === home ? nearActivity : new DynamoActivity({ tableName: tables.sessions, client: home });
  const nearEnds = new DynamoSessionEnds({ tableName: tables.sessions, client: near });
  const homeEnds = near === home ? nearEnds : new DynamoSessionEnds({ tableName: tables.sessions, client: home });
  const users = (client: DynamoDBClient) => new DynamoUserStore({ tableName: tables.users, client });
  return {
    sessions: new RegionalSessionStore({ near: nearSessions, home: homeSessions, nearActivity, homeActivity, nearEnds, homeEnds }),
    users: new RegionalUserStore(users(near), users(home)),
    mau: new DynamoShardedMauStore({ tableName: tables.mau, near, home }),
    signIns: new DynamoSignInStore({ tables, client: home, layout: 'global' }),
  };
}
