// The Debian package as a user gets it: CPack builds the .deb from this build tree, `dpkg-deb -x` unpacks
// it, and the unpacked binary, desktop entry, icons, AppStream metainfo and man page are checked the way
// Debian's own tools check them. Also: the man page documents exactly the options `cctv --help` lists.

#include <QtTest>

#include <QImageReader>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

namespace {

struct Run {
  int exitCode = -1;
  QString out, err;
};

Run run(const QString& program, const QStringList& args, int timeoutMs = 60000) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.remove(QStringLiteral("DISPLAY"));
  env.remove(QStringLiteral("WAYLAND_DISPLAY"));
  p.setProcessEnvironment(env);
  p.start(program, args);
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    return {-1, QString(), program + QStringLiteral(" did not finish")};
  }
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

// Option names (-h, --http-port) at the start of `text`, which is the option column of a help line or the
// tag line of a man page entry.
QStringList optionNames(const QString& text) {
  static const QRegularExpression name(QStringLiteral("(?<![\\w-])(--?[A-Za-z][\\w-]*)"));
  QStringList names;
  for (auto it = name.globalMatch(text); it.hasNext();) names << it.next().captured(1);
  return names;
}

// Every option in `cctv --help`: the lines of the option list, up to the description column.
QStringList helpOptions(const QString& help) {
  QStringList names;
  static const QRegularExpression optionLine(QStringLiteral("^  (-.*?)(  |$)"));
  for (const QString& line : help.split('\n')) {
    const auto m = optionLine.match(line);
    if (m.hasMatch()) names << optionNames(m.captured(1));
  }
  names.sort();
  return names;
}

// Every option with an entry (a .TP tag line) in the man page's OPTIONS section.
QStringList manOptions(const QString& troff) {
  QStringList names;
  bool inOptions = false, tagNext = false;
  for (QString line : troff.split('\n')) {
    if (line.startsWith(QLatin1String(".SH"))) inOptions = line.contains(QLatin1String("OPTIONS"));
    if (!inOptions) continue;
    if (tagNext) names << optionNames(line.replace(QLatin1String("\\-"), QLatin1String("-")).section(' ', 1));
    tagNext = line.startsWith(QLatin1String(".TP"));
  }
  names.sort();
  return names;
}

QString readText(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return QString();
  return QString::fromUtf8(f.readAll());
}

}  // namespace

class TestPackaging : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void manPageDocumentsEveryOption() {
    const Run help = run(QStringLiteral(CCTV_BINARY), {QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    const QStringList fromHelp = helpOptions(help.out);
    QVERIFY2(fromHelp.contains(QStringLiteral("--http-port")), qPrintable(help.out));
    const QString troff = readText(QStringLiteral(CCTV_SOURCE_DIR "/packaging/cctv.1"));
    QVERIFY(!troff.isEmpty());
    QCOMPARE(manOptions(troff), fromHelp);
  }

  void optionParsersSeeWhatTheyShould() {
    // The two parsers above decide what the comparison means: check them on known input.
    QCOMPARE(helpOptions(QStringLiteral("Options:\n  -h, --help      Help on --db.\n  --db <FILE>     "
                                        "The file.\n                  --not-an-option continued\n")),
             (QStringList{"--db", "--help", "-h"}));
    QCOMPARE(manOptions(QStringLiteral(".SH OPTIONS\n.TP\n.BI \\-\\-db \" FILE\"\nSee \\-\\-token.\n.TP\n"
                                       ".BR \\-h \", \" \\-\\-help\n.SH FILES\n.TP\n.I \\-\\-nope\n")),
             (QStringList{"--db", "--help", "-h"}));
  }

  void debUnpacksAndRuns() {
    QTemporaryDir out;
    QVERIFY(out.isValid());
    // Packs what this tree has built (CPack runs the install rules; nothing is recompiled).
    const Run cpack = run(QStringLiteral("cpack"), {QStringLiteral("--config"), QStringLiteral(CCTV_CPACK_CONFIG),
                                                    QStringLiteral("-B"), out.path()},
                          240000);
    QVERIFY2(cpack.exitCode == 0, qPrintable(cpack.out + cpack.err));
    const QStringList debs = QDir(out.path()).entryList({QStringLiteral("cctv_*.deb")}, QDir::Files);
    QCOMPARE(debs.size(), 1);
    const QString deb = out.filePath(debs.first());

    const Run fields = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-f"), deb, QStringLiteral("Package"),
                                                       QStringLiteral("Version"), QStringLiteral("Depends")});
    QCOMPARE(fields.exitCode, 0);
    QVERIFY2(fields.out.contains(QStringLiteral("Package: cctv\n")), qPrintable(fields.out));
    QVERIFY2(fields.out.contains(QStringLiteral("Version: " CCTV_VERSION "\n")), qPrintable(fields.out));
    // Declared, not bundled: Qt from Debian, found by dpkg-shlibdeps, and the plugins Qt loads at run time.
    for (const char* dep : {"libqt6widgets6", "libqt6charts6", "libgrpc++1.51", "libsqlite3-0", "qt6-qpa-plugins",
                            "libqt6svg6"})
      QVERIFY2(fields.out.contains(QLatin1String(dep)), dep);

    const QString root = out.filePath(QStringLiteral("root"));
    const Run unpack = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-x"), deb, root});
    QVERIFY2(unpack.exitCode == 0, qPrintable(unpack.err));

    const Run version = run(root + QStringLiteral("/usr/bin/cctv"), {QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.out, QStringLiteral("cctv " CCTV_VERSION "\n"));

    const QString share = root + QStringLiteral("/usr/share/");
    const QString desktop = share + QStringLiteral("applications/" CCTV_APP_ID ".desktop");
    const Run desktopCheck = run(QStringLiteral("desktop-file-validate"), {desktop});
    QVERIFY2(desktopCheck.exitCode == 0 && desktopCheck.out.isEmpty(), qPrintable(desktopCheck.out + desktopCheck.err));
    const QString entry = readText(desktop);
    QVERIFY(entry.contains(QStringLiteral("\nExec=cctv\n")));
    QVERIFY(entry.contains(QStringLiteral("\nIcon=cctv\n")));

    QVERIFY(QFile::exists(share + QStringLiteral("icons/hicolor/scalable/apps/cctv.svg")));
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256}) {
      const QString png = share + QStringLiteral("icons/hicolor/%1x%1/apps/cctv.png").arg(size);
      QImageReader reader(png);
      QVERIFY2(reader.canRead(), qPrintable(png));
      QCOMPARE(reader.size(), QSize(size, size));
    }

    const QString metainfo = share + QStringLiteral("metainfo/" CCTV_APP_ID ".metainfo.xml");
    const Run metaCheck = run(QStringLiteral("appstreamcli"), {QStringLiteral("validate"), QStringLiteral("--no-net"),
                                                               QStringLiteral("--pedantic"), metainfo});
    QVERIFY2(metaCheck.exitCode == 0, qPrintable(metaCheck.out + metaCheck.err));
    const QString meta = readText(metainfo);
    QVERIFY(meta.contains(QStringLiteral("<screenshot type=\"default\">")));
    // The newest release listed first must be this version: a version bump needs a release entry.
    static const QRegularExpression firstRelease(QStringLiteral("<release version=\"([^\"]+)\""));
    QCOMPARE(firstRelease.match(meta).captured(1), QStringLiteral(CCTV_VERSION));

    const QString man = share + QStringLiteral("man/man1/cctv.1.gz");
    const Run manText = run(QStringLiteral("gzip"), {QStringLiteral("-dc"), man});
    QCOMPARE(manText.exitCode, 0);
    QVERIFY(manText.out.contains(QStringLiteral("\"cctv " CCTV_VERSION "\"")));
    const Run changelog = run(QStringLiteral("gzip"), {QStringLiteral("-dc"), share + QStringLiteral("doc/cctv/changelog.gz")});
    QVERIFY2(changelog.out.startsWith(QStringLiteral("cctv (" CCTV_VERSION ") ")), qPrintable(changelog.out));
    QVERIFY(QFile::exists(share + QStringLiteral("doc/cctv/copyright")));
  }
};

QTEST_GUILESS_MAIN(TestPackaging)
#include "tst_packaging.moc"
