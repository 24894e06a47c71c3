// Tesseract in-process: a small pool of threads, each with its own engine,
// takes pages one at a time; loading (decoding or rendering) is serialised so
// that a loader may share one document, recognition runs in parallel.
#include "importers/ocr.h"

#include <dlfcn.h>
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>

namespace kho::importers::ocr {

namespace {

constexpr const char* kLanguages = "vie+eng";
constexpr unsigned kMaxThreads = 8;

// Tesseract's parameters for its messages are process-wide; set them once,
// before any engine starts, rather than racing from every thread.
void quiet_tesseract() {
  static std::once_flag once;
  std::call_once(once, [] {
    tesseract::TessBaseAPI api;
    api.SetVariable("debug_file", "/dev/null");
  });
}

// Tesseract runs parts of its network on OpenMP teams of four threads; with
// an engine per core already that only oversubscribes the cores (three times
// slower here). OMP_THREAD_LIMIT=1 would stop it, but libgomp reads that once
// at process start. Making OpenMP regions inactive (max-active-levels 0, a
// per-thread setting since OpenMP 5) works at any time, from each thread. It
// is looked up at run time: libgomp comes in through libtesseract, and only
// when Tesseract was built with OpenMP.
void no_openmp_teams() {
  using SetMaxActiveLevels = void (*)(int);
  static const auto set =
      reinterpret_cast<SetMaxActiveLevels>(dlsym(RTLD_DEFAULT, "omp_set_max_active_levels"));
  if (set != nullptr) set(0);
}

bool has_words(const std::string& text) {
  return text.find_first_not_of(" \t\r\n\f") != std::string::npos;
}

// One Tesseract engine with the Vietnamese and English models loaded.
class Engine {
 public:
  Engine() = default;
  ~Engine() { api_.End(); }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Status open() {
    // Loading models reads shared files and global tables: one engine at a time.
    static std::mutex init_mutex;
    std::lock_guard<std::mutex> lock(init_mutex);
    if (api_.Init(nullptr, kLanguages, tesseract::OEM_LSTM_ONLY) != 0)
      return Status::IoError(
          "OCR is not available: Tesseract's language data for vie+eng is missing "
          "(install tesseract-ocr-vie and tesseract-ocr-eng)");
    return Status::Ok();
  }

  Status read(const PageImage& page, PageText* out) {
    api_.SetImage(page.pix.get());
    if (page.dpi > 0) api_.SetSourceResolution(page.dpi);
    if (api_.Recognize(nullptr) != 0) return Status::Corrupt("OCR could not read the page image");
    std::unique_ptr<char[]> text(api_.GetUTF8Text());
    out->text = text ? text.get() : "";
    out->has_words = has_words(out->text);
    out->confidence = out->has_words ? std::clamp(api_.MeanTextConf(), 0, 100) : 0;
    api_.Clear();
    return Status::Ok();
  }

 private:
  tesseract::TessBaseAPI api_;
};

// The jobs shared by the pool's threads; the first failure (lowest job) wins.
class Queue {
 public:
  Queue(std::size_t count, const PageLoader& load) : count_(count), load_(load) {}

  // The next job and its image, or false when there is none (or one failed).
  bool next(std::size_t* job, PageImage* image) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failed_ || next_ == count_) return false;
    *job = next_++;
    Status s = load_(*job, image);
    if (!s.ok()) fail_locked(*job, s);
    return s.ok();
  }
  void fail(std::size_t job, const Status& s) {
    std::lock_guard<std::mutex> lock(mutex_);
    fail_locked(job, s);
  }
  Status result() const { return failure_; }

 private:
  void fail_locked(std::size_t job, const Status& s) {
    if (failed_ && failed_job_ <= job) return;
    failed_ = true, failed_job_ = job, failure_ = s;
  }

  std::mutex mutex_;
  std::size_t count_, next_ = 0;
  const PageLoader& load_;
  bool failed_ = false;
  std::size_t failed_job_ = 0;
  Status failure_;
};

void work(Queue* queue, std::vector<PageText>* out) {
  std::size_t job = 0;
  try {
    no_openmp_teams();
    Engine engine;
    if (Status s = engine.open(); !s.ok()) return queue->fail(0, s);
    PageImage image;
    while (queue->next(&job, &image)) {
      // A loader may give no image for a page with nothing to read.
      Status s = image.pix ? engine.read(image, &(*out)[job]) : Status::Ok();
      image = PageImage();  // one page in memory per thread
      if (!s.ok()) return queue->fail(job, s);
    }
  } catch (const std::bad_alloc&) {
    queue->fail(job, Status::TooLarge("out of memory during OCR"));
  } catch (const std::exception& e) {
    queue->fail(job, Status::Corrupt(std::string("OCR failed (") + e.what() + ")"));
  }
}

unsigned thread_count(std::size_t jobs) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<std::size_t>({jobs, cores, kMaxThreads}));
}

}  // namespace

void PixDeleter::operator()(Pix* pix) const { pixDestroy(&pix); }

Status check_size(std::int64_t width, std::int64_t height) {
  if (width <= 0 || height <= 0)
    return Status::Corrupt("damaged image (it claims " + std::to_string(width) + "x" +
                           std::to_string(height) + " pixels)");
  if (width * height > kMaxPixels)
    return Status::TooLarge("image too large: " + std::to_string(width) + "x" +
                            std::to_string(height) + " pixels (more than " +
                            std::to_string(kMaxPixels / 1'000'000) + " megapixels)");
  return Status::Ok();
}

void quiet_leptonica() {
  static std::once_flag once;
  std::call_once(once, [] { setMsgSeverity(L_SEVERITY_NONE); });
}

Status recognise(std::size_t count, const PageLoader& load, std::vector<PageText>* out) {
  out->assign(count, PageText());
  if (count == 0) return Status::Ok();
  quiet_leptonica();
  quiet_tesseract();
  Queue queue(count, load);
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < thread_count(count); ++i) {
    try {
      threads.emplace_back(work, &queue, out);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones running share the pages
    }
  }
  work(&queue, out);  // this thread takes pages too
  for (auto& t : threads) t.join();
  return queue.result();
}

}  // namespace kho::importers::ocr
