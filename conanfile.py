"""Conan 2 recipe of Ember.

    conan create . -pr:a conan/profiles/system          # offline, system Eigen (see docs/packaging.md)
    conan create . -o "&:shared=True"                    # libember.so instead of libember.a

The package holds include/ember/{ember.h,ember.hpp} and libember (static or shared). Consumers
get `find_package(ember)` -> target ember::ember (CMakeDeps) and pkg-config `ember`
(PkgConfigDeps). The version comes from CMakeLists.txt, the single source of truth.
"""
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd, cross_building, stdcpp_library
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, rmdir

required_conan_version = ">=2.0"


def _ember_version(recipe_folder):
    # tests/abi/check_abi.py runs this function on its own (without Conan): keep it standalone.
    with open(os.path.join(recipe_folder, "CMakeLists.txt"), encoding="utf-8") as f:
        text = f.read()
    return re.search(r"project\(\s*ember\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+)", text).group(1)


class EmberConan(ConanFile):
    name = "ember"
    description = "Embeddable ONNX inference library with a small, stable C ABI"
    license = "Apache-2.0"
    topics = ("onnx", "inference", "deep-learning", "machine-learning")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    options = {
        "shared": [True, False],
        "fPIC": [True, False],
        "with_onednn": [True, False],
        "with_cuda": [True, False],
    }
    default_options = {
        "shared": False,
        "fPIC": True,
        "with_onednn": False,
        "with_cuda": False,
    }
    # Only what the library build needs: no tools/, tests, Python bindings or models.
    exports_sources = ("CMakeLists.txt", "cmake/*", "include/*", "src/*", "kernels/*",
                       "bindings/c/*", "LICENSE*")

    def set_version(self):
        self.version = self.version or _ember_version(self.recipe_folder)

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self, src_folder=".")

    def requirements(self):
        # Header-only and internal: never part of the consumers' interface.
        self.requires("eigen/3.4.0", visible=False)
        if self.options.with_onednn:
            self.requires("onednn/[>=3.0 <4]")
        # CUDA has no ConanCenter package: with_cuda uses the CUDA toolkit found on the machine.

    def validate(self):
        # The library is C++20 inside; consumers only see the C ABI (and a C++17 header-only
        # wrapper), so their cppstd setting does not matter.
        if self.settings.get_safe("compiler.cppstd"):
            check_min_cppstd(self, 17)

    def package_id(self):
        # A C ABI: the consumers' C++ standard does not change the binary.
        self.info.settings.rm_safe("compiler.cppstd")
        if self.info.options.shared:
            # libember.so links libstdc++ itself; nothing C++ crosses its interface.
            self.info.settings.rm_safe("compiler.libcxx")

    def generate(self):
        tc = CMakeToolchain(self)
        tc.blocks.remove("cppstd")  # the project sets C++20 itself
        if not cross_building(self):
            # Native build: the arch flag (-m64) is the compiler's default anyway, and without it
            # the compile commands equal those of a plain CMake build, so ccache reuses objects.
            tc.blocks.remove("arch_flags")
        tc.cache_variables["EMBER_BUILD_TESTS"] = False
        tc.cache_variables["EMBER_BUILD_PYTHON"] = False
        tc.cache_variables["EMBER_BUILD_CLI"] = False
        tc.cache_variables["EMBER_STATIC"] = not self.options.shared
        tc.cache_variables["EMBER_INSTALL_SHARED"] = bool(self.options.shared)
        tc.cache_variables["EMBER_WITH_ONEDNN"] = bool(self.options.with_onednn)
        tc.cache_variables["EMBER_WITH_CUDA"] = bool(self.options.with_cuda)
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE*", self.source_folder, os.path.join(self.package_folder, "licenses"))
        CMake(self).install()
        # Conan generates its own CMake config and .pc files for consumers (package_info).
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))
        rmdir(self, os.path.join(self.package_folder, "lib", "pkgconfig"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "ember")
        self.cpp_info.set_property("cmake_target_name", "ember::ember")
        self.cpp_info.set_property("pkg_config_name", "ember")
        self.cpp_info.libs = ["ember"]
        if not self.options.shared:
            if self.settings.os in ("Linux", "FreeBSD"):
                self.cpp_info.system_libs = ["m", "pthread"]
            libcxx = stdcpp_library(self)
            if libcxx:
                self.cpp_info.system_libs.append(libcxx)
