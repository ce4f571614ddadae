import { UserError } from '../../errors/FarziError';
import { tempDir } from '../../testing/tempFiles';
import { delimitedAdapter } from './delimited';
import { movielens100kAdapter } from './movielens100k';
import { movielensCsvAdapter } from './movielensCsv';
import { movielensDatAdapter } from './movielensDat';
import { presequencedAdapter } from './presequenced';
import { recboleAtomicAdapter } from './recboleAtomic';
import { textCorpusAdapter } from './textCorpus';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function rows(log: ReturnType<typeof movielens100kAdapter.load>) {
  return Array.from(log.user, (u, i) => [
    log.userIds[u],
    log.itemIds[log.item[i]],
    log.rating ? log.rating[i] : null,
    log.time ? log.time[i] : null,
  ]);
}

describe('interaction adapters', () => {
  it('reads MovieLens 100K u.data from the file or its folder', () => {
    tmp.write(
      'ml100k/u.data',
      '196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t377\t1\t878887116\n',
    );
    const expected = [
      ['196', '242', 3, 881250949],
      ['186', '302', 3, 891717742],
      ['196', '377', 1, 878887116],
    ];
    expect(rows(movielens100kAdapter.load(`${tmp.dir}/ml100k`, {}))).toEqual(expected);
    expect(rows(movielens100kAdapter.load(`${tmp.dir}/ml100k/u.data`, {}))).toEqual(expected);
  });

  it('reads MovieLens 1M/10M ratings.dat', () => {
    const file = tmp.write('ml1m/ratings.dat', '1::1193::5::978300760\r\n1::661::3::978302109\r\n');
    expect(rows(movielensDatAdapter.load(file, {}))).toEqual([
      ['1', '1193', 5, 978300760],
      ['1', '661', 3, 978302109],
    ]);
  });

  it('reads MovieLens 20M+ ratings.csv and checks its header', () => {
    tmp.write(
      'ml20m/ratings.csv',
      'userId,movieId,rating,timestamp\n1,2,3.5,1112486027\n1,29,3.5,1112484676\n',
    );
    expect(rows(movielensCsvAdapter.load(`${tmp.dir}/ml20m`, {}))).toEqual([
      ['1', '2', 3.5, 1112486027],
      ['1', '29', 3.5, 1112484676],
    ]);
    const bad = tmp.write('ml20m-bad/ratings.csv', 'user,item,rating,ts\n1,2,3,4\n');
    expect(() => movielensCsvAdapter.load(bad, {})).toThrow(
      /ratings\.csv:1: header "user,item,rating,ts" is not "userId,movieId,rating,timestamp"/,
    );
  });

  it('reads RecBole atomic .inter files by their field:type header, in any column order', () => {
    tmp.write(
      'recbole/ml.inter',
      'item_id:token\tuser_id:token\trating:float\ttimestamp:float\nA\tu1\t4\t10\nB\tu1\t5\t5\n',
    );
    const options = {
      userField: 'user_id',
      itemField: 'item_id',
      ratingField: 'rating',
      timeField: 'timestamp',
    };
    expect(rows(recboleAtomicAdapter.load(`${tmp.dir}/recbole`, options))).toEqual([
      ['u1', 'A', 4, 10],
      ['u1', 'B', 5, 5],
    ]);
    const bad = tmp.write('recbole-bad/x.inter', 'user_id\titem_id\nu\ti\n');
    expect(() => recboleAtomicAdapter.load(bad, options)).toThrow(
      /x\.inter:1: header column 1 "user_id" is not a field:type token/,
    );
    const noUser = tmp.write('recbole-nouser/x.inter', 'uid:token\titem_id:token\nu\ti\n');
    expect(() => recboleAtomicAdapter.load(noUser, options)).toThrow(
      /no "user_id" field in the header \(fields: "uid, item_id"\); set data\.options\.userField/,
    );
  });

  it('reads generic delimited logs with column indices (Amazon item,user,rating,timestamp) or header names', () => {
    const amazon = tmp.write('amazon.csv', 'B001,AU1,5.0,1400000000\nB002,AU1,4.0,1300000000\n');
    const byIndex = delimitedAdapter.load(amazon, {
      delimiter: ',',
      header: false,
      columns: { item: 0, user: 1, rating: 2, time: 3 },
    });
    expect(rows(byIndex)).toEqual([
      ['AU1', 'B001', 5, 1400000000],
      ['AU1', 'B002', 4, 1300000000],
    ]);
    const tsv = tmp.write('events.tsv', 'ts\tuid\tiid\n5\tu\ta\n3\tu\tb\n');
    const byName = delimitedAdapter.load(tsv, {
      delimiter: '\\t',
      header: true,
      columns: { user: 'uid', item: 'iid', time: 'ts' },
    });
    expect(rows(byName)).toEqual([
      ['u', 'a', null, 5],
      ['u', 'b', null, 3],
    ]);
    expect(() =>
      delimitedAdapter.load(tsv, {
        delimiter: '\t',
        header: true,
        columns: { user: 'user', item: 'iid' },
      }),
    ).toThrow(/events\.tsv:1: no column "user" \(data\.options\.columns\.user\)/);
  });

  it('reads RFC 4180 quoted fields in delimited logs, and names a broken quote', () => {
    const file = tmp.write(
      'quoted.csv',
      'u1,"Book, The",5,100\nu1,"say ""hi""",4,200\n"u 2",plain,3,300\n',
    );
    expect(rows(delimitedAdapter.load(file, { delimiter: ',', header: false }))).toEqual([
      ['u1', 'Book, The', 5, 100],
      ['u1', 'say "hi"', 4, 200],
      ['u 2', 'plain', 3, 300],
    ]);
    const broken = tmp.write('broken.csv', 'u1,a,5,100\nu1,"Book, The,4,200\n');
    expect(() => delimitedAdapter.load(broken, { delimiter: ',', header: false })).toThrow(
      /broken\.csv:2: a quoted field does not end on this line \(fields with line breaks are not supported\) in "u1,\\"Book, The,4,200"/,
    );
    const after = tmp.write('after.csv', 'u1,"a"b,5,100\n');
    expect(() => delimitedAdapter.load(after, { delimiter: ',', header: false })).toThrow(
      /after\.csv:1: text after a closing quote/,
    );
    // quote "": fields are split at every delimiter, as before.
    const unquoted = tmp.write('unquoted.csv', 'u1,"x,5,100\n');
    expect(
      rows(delimitedAdapter.load(unquoted, { delimiter: ',', header: false, quote: '' })),
    ).toEqual([['u1', '"x', 5, 100]]);
  });

  it('finds the columns by their header names when none are given (item,user,rating,time)', () => {
    const file = tmp.write(
      'named.csv',
      'item_id,userId,rating,timestamp\nB001,AU1,5,14\nB002,AU1,4,13\n',
    );
    expect(rows(delimitedAdapter.load(file, { delimiter: ',', header: true }))).toEqual([
      ['AU1', 'B001', 5, 14],
      ['AU1', 'B002', 4, 13],
    ]);
    const unknown = tmp.write('unknown.csv', 'customer,book\nc1,b1\n');
    expect(() => delimitedAdapter.load(unknown, { delimiter: ',', header: true })).toThrow(
      /unknown\.csv:1: the header "customer,book" names no user column that farzi recognises; say which columns hold what with data\.options\.columns/,
    );
    expect(
      rows(
        delimitedAdapter.load(unknown, {
          delimiter: ',',
          header: true,
          columns: { user: 'customer', item: 'book' },
        }),
      ),
    ).toEqual([['c1', 'b1', null, null]]);
  });

  it('reads pre-sequenced "user item" lines in file order', () => {
    const file = tmp.write('seq.txt', '1 5\n1 3\n2 5\n');
    const log = presequencedAdapter.load(file, {});
    expect(rows(log)).toEqual([
      ['1', '5', null, null],
      ['1', '3', null, null],
      ['2', '5', null, null],
    ]);
  });
});

describe('the column mapping, said', () => {
  it('delimited says which column it read as what (by header name, or by index)', () => {
    const named = tmp.write('swapped.csv', 'item,user,rating,time\n10,1,5,1\n');
    expect(delimitedAdapter.load(named, { header: true, delimiter: ',' }).layout).toBe(
      'user ← "user", item ← "item", rating ← "rating", time ← "time"',
    );
    const plain = tmp.write('plain.csv', '1,10,5,1\n');
    expect(
      delimitedAdapter.load(plain, { delimiter: ',', columns: { user: 1, item: 0 } }).layout,
    ).toBe('user ← column 1, item ← column 0');
  });
});

describe('bad input', () => {
  const load = (text: string) =>
    movielens100kAdapter.load(tmp.write(`bad-${Math.random()}.data`, text), {});

  it('names file, line and text for a wrong column count', () => {
    expect(() => load('1\t2\t3\t4\n1\t2\t3\n')).toThrow(
      /bad-[\d.]+\.data:2: found 3 columns instead of 4 in "1\\t2\\t3"; expected lines of the form user<TAB>item<TAB>rating<TAB>timestamp\./,
    );
  });

  it('names a non-numeric id and a non-numeric timestamp', () => {
    expect(() => load('1\t2\t3\t4\nx1\t2\t3\t4\n')).toThrow(/:2: user id "x1" is not an integer/);
    expect(() => load('1\t2\t3\tyesterday\n')).toThrow(/:1: timestamp "yesterday" is not a number/);
    expect(() => load('1\t2\tfive\t4\n')).toThrow(/:1: rating "five" is not a number/);
  });

  it('rejects a missing file, an empty file and a folder without the expected file', () => {
    expect(() => movielens100kAdapter.load(`${tmp.dir}/nothing`, {})).toThrow(UserError);
    expect(() => movielens100kAdapter.load(`${tmp.dir}/nothing`, {})).toThrow(
      /cannot read .*nothing: no such file or directory; expected a MovieLens 100K u\.data file/,
    );
    const empty = tmp.write('empty/u.data', '');
    expect(() => movielens100kAdapter.load(empty, {})).toThrow(
      /u\.data is empty; expected lines of the form/,
    );
    tmp.write('nodata/readme.txt', 'x');
    expect(() => movielens100kAdapter.load(`${tmp.dir}/nodata`, {})).toThrow(
      /is a directory without a MovieLens 100K u\.data file/,
    );
  });

  it('says a compressed file is compressed (and which format reads it), not "not UTF-8"', () => {
    const csv = 'userId,movieId,rating,timestamp\n1,2,3,4\n';
    const gz = `${tmp.dir}/ratings.csv.gz`;
    require('fs').writeFileSync(gz, require('zlib').gzipSync(csv));
    expect(() => movielensCsvAdapter.load(gz, {})).toThrow(
      /ratings\.csv\.gz is gzip-compressed; this format reads plain text .*"format": "event-log"/,
    );
    const zst = `${tmp.dir}/log.tsv.zst`;
    require('fs').writeFileSync(zst, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0]));
    expect(() => delimitedAdapter.load(zst, {})).toThrow(/log\.tsv\.zst is zstd-compressed/);
    // Plain text that merely starts with those letters is read as text.
    const bz2 = `${tmp.dir}/log.bz2`;
    require('fs').writeFileSync(bz2, Buffer.from('BZh91AY&SY\x00', 'latin1'));
    expect(() => delimitedAdapter.load(bz2, {})).toThrow(/log\.bz2 is bzip2-compressed/);
    const plain = tmp.write('BZh.data', 'BZh9\t2\t3\t4\n');
    expect(() => movielens100kAdapter.load(plain, {})).toThrow(/user id "BZh9" is not an integer/);
  });

  it('rejects a file with only blank lines', () => {
    expect(() => load('\n\n')).toThrow(/holds no events/);
  });
});

describe('text corpus adapter', () => {
  it('reads train/valid/test parts and appends <eos> to every sentence', () => {
    tmp.write('corpus/x.train.txt', ' the cat sat \n the dog\n\n');
    tmp.write('corpus/x.valid.txt', 'the cat\n');
    tmp.write('corpus/x.test.txt', 'a dog\n');
    const corpus = textCorpusAdapter.load(`${tmp.dir}/corpus`, { eos: true });
    expect(corpus.train).toEqual(['the', 'cat', 'sat', '<eos>', 'the', 'dog', '<eos>']);
    expect(corpus.valid).toEqual(['the', 'cat', '<eos>']);
    expect(corpus.test).toEqual(['a', 'dog', '<eos>']);
  });

  it('says which part is missing', () => {
    tmp.write('corpus2/x.train.txt', 'a\n');
    tmp.write('corpus2/x.test.txt', 'a\n');
    expect(() => textCorpusAdapter.load(`${tmp.dir}/corpus2`, {})).toThrow(
      /expected exactly one \*\.valid\.txt file, found none/,
    );
  });
});
