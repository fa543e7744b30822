// The window side of import/export: files dropped on the window are imported on a background thread
// through the writer, exports run from the same controller, and charts save as PNG and SVG.

#include <QtTest>

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QMimeData>
#include <QTemporaryDir>
#include <QWidget>

#include "costs/ChartCard.h"
#include "costs/ChartExport.h"
#include "io/DataTransfer.h"
#include "store/Writer.h"
#include "support/ImportHelpers.h"

using namespace cctv;
using cctv::test::queryInt;

namespace {

QString writeJsonLines(const QTemporaryDir& dir, const char* run) {
  QByteArray lines;
  for (const QByteArray& b : test::jsonBodies(QString::fromLatin1(run))) lines += b + "\n";
  const QString path = dir.filePath(QStringLiteral("%1.jsonl").arg(run));
  test::writeFile(path, lines);
  return path;
}

void sendDrop(QWidget* target, QMimeData* mime, bool* entered, bool* dropped) {
  QDragEnterEvent enter(QPoint(5, 5), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(target, &enter);
  *entered = enter.isAccepted();
  QDropEvent drop(QPointF(5, 5), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
  drop.setAccepted(false);
  QCoreApplication::sendEvent(target, &drop);
  *dropped = drop.isAccepted();
}

}  // namespace

class TestUiIo : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void dropImportsThenExports() {
    QTemporaryDir dir;
    const std::string db = dir.filePath("cctv.db").toStdString();
    store::WriterOptions wo;
    wo.path = db;
    store::Writer writer(wo);
    std::string error;
    QVERIFY(writer.open(&error));
    QWidget window;
    ui::DataTransfer transfer(&window, QString::fromStdString(db), &writer, {});
    transfer.setInteractive(false);
    QVERIFY(transfer.importAction()->isEnabled());
    QVERIFY(window.acceptDrops());
    QSignalSpy finished(&transfer, &ui::DataTransfer::finished);

    // A web link is not a file: the window does not take it.
    QMimeData web;
    web.setUrls({QUrl(QStringLiteral("https://example.com/x.jsonl"))});
    bool entered = true, dropped = true;
    sendDrop(&window, &web, &entered, &dropped);
    QVERIFY(!entered);
    QVERIFY(!dropped);

    QMimeData files;
    files.setUrls({QUrl::fromLocalFile(writeJsonLines(dir, "json-basic")),
                   QUrl::fromLocalFile(writeJsonLines(dir, "json-traces"))});
    sendDrop(&window, &files, &entered, &dropped);
    QVERIFY(entered);
    QVERIFY(dropped);
    QVERIFY(finished.wait(20000));
    QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(0).toString()));
    const QString summary = finished.at(0).at(0).toString();
    QVERIFY2(summary.startsWith("Stored 22 events, 14 metric points and 6 spans from 2 files (0 already stored)."),
             qPrintable(summary));
    QCOMPARE(queryInt(db, "SELECT count(*) FROM events"), 22);

    // Export the traced session from the same controller, while the writer is still running.
    const QString session = QString::fromStdString(
        test::dumpRows(db, "SELECT session_id FROM spans LIMIT 1").at(0).substr(std::string("session_id=text:").size()));
    const QString otlp = dir.filePath("s.jsonl"), csv = dir.filePath("e.csv");
    transfer.exportSession(session, ui::DataTransfer::SessionFormat::OtlpJson, otlp);
    QVERIFY(finished.wait(20000));
    QVERIFY2(finished.at(1).at(1).toBool(), qPrintable(finished.at(1).at(0).toString()));
    QCOMPARE(finished.at(1).at(0).toString(),
             "Exported session " + session + " to " + otlp + ": 11 events, 7 metric points, 6 spans.");
    data::EventQuery q;
    q.eventName = "api_request";
    transfer.exportEvents(q, csv);
    QVERIFY(finished.wait(20000));
    QVERIFY2(finished.at(2).at(1).toBool(), qPrintable(finished.at(2).at(0).toString()));
    QCOMPARE(finished.at(2).at(0).toString(),
             QStringLiteral("Exported %1 events to %2.")
                 .arg(queryInt(db, "SELECT count(*) FROM events WHERE event_name = 'api_request'"))
                 .arg(csv));

    // One prompt of the traced session (what the prompts table's and the trace's context menus do).
    const QString prompt = QString::fromStdString(
        test::dumpRows(db, "SELECT prompt_id FROM events WHERE session_id = '" + session.toStdString() +
                               "' AND prompt_id IS NOT NULL LIMIT 1")
            .at(0)
            .substr(std::string("prompt_id=text:").size()));
    const QString promptFile = dir.filePath("p.jsonl");
    transfer.exportPrompt(prompt, ui::DataTransfer::SessionFormat::OtlpJson, promptFile);
    QVERIFY(finished.wait(20000));
    QVERIFY2(finished.at(3).at(1).toBool(), qPrintable(finished.at(3).at(0).toString()));
    const auto promptEvents = queryInt(db, "SELECT count(*) FROM events WHERE prompt_id = '" + prompt.toStdString() + "'");
    QVERIFY(promptEvents > 0 && promptEvents < 11);
    QVERIFY2(finished.at(3).at(0).toString().startsWith(QStringLiteral("Exported prompt %1 to %2: %3 events, ")
                                                            .arg(prompt, promptFile)
                                                            .arg(promptEvents)),
             qPrintable(finished.at(3).at(0).toString()));
    QVERIFY2(finished.at(3).at(0).toString().endsWith(", 6 spans."), qPrintable(finished.at(3).at(0).toString()));
    transfer.exportPrompt(prompt, ui::DataTransfer::SessionFormat::Csv, dir.filePath("p.csv"));
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.at(4).at(0).toString(), QStringLiteral("Exported prompt %1 to %2: %3 events, 0 metric points, 0 spans.")
                                                  .arg(prompt, dir.filePath("p.csv"))
                                                  .arg(promptEvents));
    writer.stop();
  }

  void withoutAWriterThereIsNoImport() {
    QWidget window;
    ui::DataTransfer transfer(&window, QStringLiteral("/nonexistent.db"), nullptr, {});
    transfer.setInteractive(false);
    QVERIFY(!transfer.importAction()->isEnabled());
    QVERIFY(!window.acceptDrops());
    QSignalSpy finished(&transfer, &ui::DataTransfer::finished);
    transfer.importFiles({QStringLiteral("/tmp/x.jsonl")});
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    // And an export from a database that is not there says so.
    transfer.exportSession(QStringLiteral("s"), ui::DataTransfer::SessionFormat::OtlpJson, QStringLiteral("/tmp/none.jsonl"));
    QVERIFY(finished.wait(10000));
    QVERIFY2(finished.at(1).at(0).toString().startsWith("Export failed: cannot read /nonexistent.db"),
             qPrintable(finished.at(1).at(0).toString()));
  }

  void chartsSaveAsPngAndSvg() {
    ui::ChartCard card(QStringLiteral("Cost per day"));
    auto* series = new QLineSeries;
    series->append(0, 1);
    series->append(1, 3);
    series->append(2, 2);
    card.chart()->addSeries(series);
    card.chart()->createDefaultAxes();
    card.resize(480, 320);
    card.show();
    QVERIFY(QTest::qWaitForWindowExposed(&card));
    QTemporaryDir dir;
    QString error;
    const QString png = dir.filePath("c.png"), svg = dir.filePath("c.svg");
    QVERIFY2(ui::saveChart(card.view(), png, card.title(), &error), qPrintable(error));
    QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size() / image.devicePixelRatio(), card.view()->size());
    QVERIFY2(ui::saveChart(card.view(), svg, card.title(), &error), qPrintable(error));
    QFile f(svg);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("<title>Cost per day</title>"));
    QVERIFY(text.contains("<path") || text.contains("<polyline"));  // the series, as vectors
    QVERIFY(!ui::saveChart(card.view(), dir.filePath("c.jpg"), card.title(), &error));
    QVERIFY(error.endsWith("save as .png or .svg"));
    QVERIFY(!ui::saveChart(card.view(), "/proc/none/c.png", card.title(), &error));
    QCOMPARE(card.view()->contextMenuPolicy(), Qt::CustomContextMenu);
  }
};

QTEST_MAIN(TestUiIo)
#include "tst_ui_io.moc"
