import { verifyCredential } from '../src/credentials/verify.ts';
import { dccDocuments, listFiles, mapFetcher, readJson, synthesizedControllerDocuments } from '../src/credentials/fixtures.test-support.ts';
const f1 = mapFetcher(dccDocuments());
for (const file of listFiles('dcc-vc-test-fixtures/verifiableCredentials', '.json')) {
  let c; try { c = readJson(file); } catch { continue; }
  const r = await verifyCredential(c, { fetchJson: f1 });
  console.log(r.verified ? 'OK  ' : 'FAIL', file.replace('dcc-vc-test-fixtures/verifiableCredentials/', ''), r.checks.filter((x) => !x.passed).map((x) => x.message).join(' | '));
}
const files = listFiles('ob30-1edtech', '.json'); const docs = synthesizedControllerDocuments(files.map(readJson));
docs.set('https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist', readJson('ob30-1edtech/bit-string-list/testlist'));
for (const file of files) { const r = await verifyCredential(readJson(file), { fetchJson: mapFetcher(docs) }); console.log(r.verified ? 'OK  ' : 'FAIL', file, r.checks.filter((x) => !x.passed).map((x) => x.message).join(' | ') || r.checks.map(c=>c.id+':'+c.message).join(' / ').slice(0,300)); }
