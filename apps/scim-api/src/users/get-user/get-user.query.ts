export class GetUserQuery {
  constructor(
    readonly accountId: string,
    readonly userId: string,
  ) {}
}
