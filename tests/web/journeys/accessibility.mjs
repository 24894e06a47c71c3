// axe-core finds no serious or critical violation on any page: search (empty,
// with results and facets), browse, sign-in, a record with its viewer, and,
// signed in as an admin, upload and the audit log.
export default async function (ctx) {
  const { page } = ctx;
  const plan = ctx.records["ke-hoach-44-KH-PGDDT.pdf"];
  await ctx.open("#/");
  await ctx.checkAxe("the empty search page");
  await ctx.search("tot nghiep");
  await ctx.checkAxe("results for \"tot nghiep\"");
  for (const [address, label] of [["#/browse", "browse"], ["#/login", "the sign-in form"],
                                  [`#/r/${plan}?q=chuyen%20doi%20so&p=2`, "a record at its second page"]]) {
    await ctx.open(address);
    await ctx.checkAxe(label);
  }
  const { name, password } = ctx.accounts.admin;
  await ctx.open("#/");
  await ctx.signIn(name, password);
  await ctx.checkAxe("signed in");
  for (const [address, label] of [["#/upload", "upload"], ["#/audit", "the audit log"],
                                  [`#/r/${plan}`, "a record, as an admin"]]) {
    await ctx.open(address);
    await ctx.checkAxe(label);
  }
}
