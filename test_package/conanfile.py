"""Conan test_package of Ember: builds the C and C++ consumer programs of tests/consumers/
against the created package (CMakeDeps: find_package(ember 0.1) -> ember::ember; PkgConfigDeps:
pkg-config ember) and runs them on the bundled digits model."""
import os

from conan import ConanFile
from conan.tools.build import can_run
from conan.tools.cmake import CMake, CMakeToolchain, cmake_layout


class EmberTestConan(ConanFile):
    settings = "os", "arch", "compiler", "build_type"
    generators = "CMakeDeps", "PkgConfigDeps", "VirtualRunEnv"
    test_type = "explicit"

    def requirements(self):
        self.requires(self.tested_reference_str)

    def layout(self):
        # EMBER_TEST_PACKAGE_BUILD_DIR (set by `make test-packaging`) keeps the build out of the
        # source tree; without it Conan's usual test_package/build/ is used.
        cmake_layout(self, build_folder=os.environ.get("EMBER_TEST_PACKAGE_BUILD_DIR", "build"))

    def generate(self):
        tc = CMakeToolchain(self)
        tc.user_presets_path = False  # no CMakeUserPresets.json written into the source tree
        tc.generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def test(self):
        if not can_run(self):
            return
        model = os.path.join(self.source_folder, os.pardir, "models", "digits_cnn.onnx")
        for exe in ("consumer_c", "consumer_cpp", "consumer_c_pkgconfig"):
            self.run(f"{os.path.join(self.cpp.build.bindir, exe)} {model}", env="conanrun")
